import type { LandscapeProblem } from "../landscape/surfaces";
import type { Snapshot } from "../snapshot/schema";

/**
 * The sampling problem a snapshot describes (centre, directions, data): what workers need to
 * compute any tile of its grid. Pure; safe on the main thread.
 */
export function problemFromSnapshot(s: Snapshot): LandscapeProblem {
  const empty = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
  return {
    arch: s.model.architecture,
    loss: s.model.loss,
    layout: s.model.layout,
    theta: s.model.parameters,
    directions: s.directions.map((d) => d.values),
    dataset: { task: s.data.task, inputSize: s.data.inputSize, outputSize: s.data.outputSize },
    train: s.data.train,
    test: s.data.test ?? empty,
  };
}
