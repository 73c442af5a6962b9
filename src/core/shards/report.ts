/**
 * Words for a sharded landscape: what a plan holds, how far its parts are, what is missing. The
 * CLI prints these lines; `status --json` prints statusJson.
 *
 * @example for (const line of statusLines(progressOf(plan, tiles, parts), plan)) console.log(line);
 */
import type { Grid } from "../landscape/grid";
import type { PlanSection } from "../snapshot/plan-section";
import { formatDuration, type Progress } from "./merge";
import { shardTileRange } from "./tiling";

const percent = (a: number, b: number) => `${b === 0 ? 100 : Math.floor((100 * a) / b)}%`;
const speed = (v: number | null) => (v === null ? "no speed yet" : `${v.toFixed(v < 100 ? 1 : 0)} points/s`);

/** One line about a plan: grid, tiles, shards, evaluator, id. */
export function planSummary(plan: PlanSection, grid: Grid): string {
  const sizes = new Set<number>();
  for (let k = 0; k < plan.shards; k++) {
    const { start, end } = shardTileRange(plan.tiles, k, plan.shards);
    sizes.add(end - start);
  }
  const per = [...sizes].sort((a, b) => a - b).join(" or ");
  const kernel = plan.kernel ? ` (${plan.kernel})` : "";
  return (
    `grid ${grid.axes.map((a) => a.count).join(" x ")} (${plan.points} points) in ${plan.tiles} tiles of <= ${plan.tilePoints} points, ` +
    `${plan.shards} shard${plan.shards === 1 ? "" : "s"} of ${per} tiles, evaluator ${plan.evaluator}${kernel}, plan ${plan.id.slice(0, 19)}...`
  );
}

/** The status report: totals, time left, one line per shard, problems. */
export function statusLines(p: Progress, plan: PlanSection): string[] {
  const lines = [
    `${p.doneTiles} of ${p.tiles} tiles done (${p.donePoints} of ${p.points} grid points, ${percent(p.donePoints, p.points)}), ` +
      `${p.shards.filter((s) => s.remaining === 0).length} of ${p.count} shards complete`,
  ];
  if (p.donePoints < p.points) {
    const parallel =
      p.secondsLeftParallel === null
        ? "unknown (no part has measured a speed yet)"
        : formatDuration(p.secondsLeftParallel);
    const serial =
      p.secondsLeftSerial === null
        ? ""
        : `; on one machine at the mean speed ${formatDuration(p.secondsLeftSerial)}`;
    lines.push(`time left: about ${parallel} with every unfinished shard running at once${serial}`);
  }
  lines.push(`mean speed of the parts: ${speed(p.meanPointsPerSecond)}`);
  for (const s of p.shards) {
    const state =
      s.remaining === 0 ? "complete" : s.done === 0 && s.parts.length === 0 ? "not started" : "incomplete";
    const where = s.parts.length > 0 ? `, in ${s.parts.join(", ")}` : "";
    lines.push(
      `  shard ${s.index} of ${p.count}: ${s.done}/${s.tiles} tiles, ${state}, ${speed(s.pointsPerSecond)}${where}`,
    );
  }
  const unfinished = p.shards.filter((s) => s.remaining > 0).map((s) => s.index);
  if (unfinished.length > 0) lines.push(`unfinished shards: ${unfinished.join(",")}`);
  for (const problem of p.problems) lines.push(`problem: ${problem}`);
  if (p.count !== plan.shards)
    lines.push(`(shards counted as ${p.count}, as the parts were made; the plan says ${plan.shards})`);
  return lines;
}

/** The status as JSON (for scripts: the Slurm script reads planShards). */
export function statusJson(p: Progress, plan: PlanSection): Record<string, unknown> {
  return {
    plan: plan.id,
    planShards: plan.shards,
    count: p.count,
    tiles: p.tiles,
    points: p.points,
    doneTiles: p.doneTiles,
    donePoints: p.donePoints,
    complete: p.donePoints === p.points && p.problems.length === 0,
    unfinishedShards: p.shards.filter((s) => s.remaining > 0).map((s) => s.index),
    meanPointsPerSecond: p.meanPointsPerSecond,
    secondsLeftParallel: p.secondsLeftParallel,
    secondsLeftSerial: p.secondsLeftSerial,
    shards: p.shards,
    problems: p.problems,
  };
}
