import { SingleBar } from "cli-progress";
import type { ExperimentProgress } from "../core/experiment/run";

/**
 * Progress for long CLI work: a bar per phase when stdout is a terminal, otherwise a line on
 * stderr every 10% (so logs stay short and stdout stays clean for piping).
 */
export function progressReporter(enabled: boolean): { update(p: ExperimentProgress): void; stop(): void } {
  let bar: SingleBar | null = null;
  let phase = "";
  let lastDecile = -1;
  const tty = process.stdout.isTTY === true;
  return {
    update(p) {
      if (!enabled) return;
      if (tty) {
        if (p.phase !== phase) {
          bar?.stop();
          bar = new SingleBar({
            format: `${p.phase.padEnd(9)} [{bar}] {percentage}% | {detail}`,
            hideCursor: true,
          });
          bar.start(p.total, p.done, { detail: p.detail });
        } else bar?.update(p.done, { detail: p.detail });
      } else {
        const decile = Math.floor((10 * p.done) / Math.max(1, p.total));
        if (p.phase !== phase || decile !== lastDecile) process.stderr.write(`${p.phase}: ${p.detail}\n`);
        lastDecile = decile;
      }
      phase = p.phase;
    },
    stop() {
      bar?.stop();
    },
  };
}
