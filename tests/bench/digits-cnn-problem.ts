/**
 * The digits-cnn preset (public/presets/digits-cnn.json) trained as it says, its filter-normalized
 * plane on a gridSize x gridSize grid over [-1, 1]^2, and the landscape problem of that plane: the
 * workload of the CNN benchmark (cnn-bench.ts) and of the pattern count (cnn-pattern-stability.ts).
 *
 * @example const { model, plane, problem } = await trainedDigitsCnn(51);
 */
import { readFileSync } from "node:fs";
import { resolveConfig } from "../../src/core/config/resolve";
import { landscapeProblem, makePlane, prepareModel } from "../../src/core/experiment/prepare";
import { nodeDataReaders } from "../../src/node/data-files";

export async function trainedDigitsCnn(gridSize: number) {
  const preset = JSON.parse(
    readFileSync(new URL("../../public/presets/digits-cnn.json", import.meta.url), "utf8"),
  );
  const axis = { min: -1, max: 1, count: gridSize };
  const config = resolveConfig({ ...preset, grid: { x: axis, y: axis } });
  const model = await prepareModel(config, { files: nodeDataReaders() });
  const plane = await makePlane(config, model);
  return { model, plane, problem: landscapeProblem(model, plane) };
}
