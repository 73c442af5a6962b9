/**
 * The snapshot's `trajectory` section: the training run (or every run of an optimizer race)
 * replayed on the landscape's plane. An extension the project writes for every landscape of a
 * model it trained (experiment/prepare.ts makePlane, experiment/replay.ts); SNAPSHOT.md names
 * trajectories as a section "in the same spirit", and this module is its schema. Every field is
 * optional on read except `method`, so the PCA-only sections of earlier versions (method,
 * explained, epochs, steps, x, y, loss) still read, and objects are loose, so fields added later
 * survive a read and a write. Numbers that may be non-finite are written as null; parameter
 * vectors use the snapshot's float array codec (plain numbers or base64 float32).
 *
 * Meaning: a checkpoint theta_k of a run lies at plane coordinates (x_k, y_k) = the c minimizing
 * || (theta_k - theta) - c_x d_x - c_y d_y || (theta = model.parameters, d = the directions'
 * values; least squares with the 2 x 2 Gram matrix, which is the plain dot product for the
 * orthonormal PCA and Hessian directions), at distance offPlane_k from that plane; its surface
 * height is read from the grid at (x_k, y_k), its true loss is loss_k. A 1-D landscape has x and
 * no y.
 *
 * ```jsonc
 * "trajectory": {
 *   "method": "pca",                        // or "projection" (random and Hessian planes)
 *   "explained": [0.91, 0.06],              // pca: variance fraction of each axis
 *   "epochs": [0, 10, 20], "steps": [0, 80, 160], "x": [-4.1, -1.2, 0], "y": [0.3, 0.5, 0], "loss": [0.69, 0.2, 0.1],
 *                                           // pca, as earlier versions: run 1's checkpoints the plane came from
 *   "runs": [
 *     { "label": "training", "epochs": [0, 1, 2, "..."], "steps": [0, 8, 16, "..."],
 *       "x": ["..."], "y": ["..."], "offPlane": ["..."], "loss": ["..."], "accuracy": ["..."],
 *       "parameters": ["...", "..."],       // one flat vector per checkpoint, when within the bound
 *       "settings": { "optimizer": "sgd", "learningRate": 0.5, "...": "..." },   // race runs
 *       "final": { "status": "completed", "epochs": 150, "steps": 150, "trainLoss": 0.08, "trainAccuracy": 0.97,
 *                  "testLoss": 0.1, "testAccuracy": 0.96, "lambdaMax": 12.3, "lambdaMaxIterations": 31,
 *                  "lambdaMaxConverged": true } }   // race runs
 *   ],
 *   "replay": { "maxCheckpoints": 200, "every": 1, "parametersStored": true, "storedFloatsBound": 524288 },
 *   "initial": "..."                        // race: the initialization every run started from
 * }
 * ```
 *
 * @example const runs = trajectoryRunsOf(snapshot.trajectory); // one entry per drawn path
 */
import { z } from "zod";
import { float32ArrayCodec } from "./arrays";

/** "pca": the plane was computed from the checkpoints; "projection": they are projected on a plane made otherwise. */
const TRAJECTORY_METHODS = ["pca", "projection"] as const;

/** A number that may be non-finite (written as null). */
const maybe = z.number().nullable();
const count = z.number().int().nonnegative();

/** Where a race run ended: its status, final figures and lambda_max at its end point. */
const trajectoryFinalSchema = z.looseObject({
  status: z.enum(["completed", "diverged"]),
  message: z.string().optional(),
  epochs: count,
  steps: count,
  trainLoss: maybe,
  trainAccuracy: maybe.optional(),
  testLoss: maybe.optional(),
  testAccuracy: maybe.optional(),
  /** Largest eigenvalue of the Hessian of the training loss (plus weight decay) at the end point. */
  lambdaMax: maybe,
  lambdaMaxIterations: count,
  lambdaMaxConverged: z.boolean(),
});

/** One run's replay: a checkpoint per entry of every column. */
const trajectoryRunSchema = z
  .looseObject({
    label: z.string(),
    epochs: z.array(count),
    steps: z.array(count),
    x: z.array(maybe),
    /** Absent for a 1-D landscape. */
    y: z.array(maybe).optional(),
    offPlane: z.array(maybe),
    /** Training loss (and accuracy) at each checkpoint. */
    loss: z.array(maybe),
    accuracy: z.array(maybe).optional(),
    /** The checkpoints' flat parameters (model.parameters layout), when stored. */
    parameters: z.array(float32ArrayCodec).optional(),
    /** Race runs: the optimizer settings the run trained with. */
    settings: z.record(z.string(), z.unknown()).optional(),
    final: trajectoryFinalSchema.optional(),
  })
  .superRefine((run, ctx) => {
    const n = run.epochs.length;
    const columns: [string, { length: number } | undefined][] = [
      ["steps", run.steps],
      ["x", run.x],
      ["y", run.y],
      ["offPlane", run.offPlane],
      ["loss", run.loss],
      ["accuracy", run.accuracy],
      ["parameters", run.parameters],
    ];
    for (const [key, column] of columns) {
      if (column !== undefined && column.length !== n) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `expected ${n} entries (one per checkpoint, as epochs), got ${column.length}`,
        });
      }
    }
    const lengths = new Set(run.parameters?.map((p) => p.length));
    if (lengths.size > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["parameters"],
        message: `every checkpoint's parameters must have the same length, got ${[...lengths].join(", ")}`,
      });
    }
    for (let i = 1; i < n; i++) {
      if (run.steps[i] < run.steps[i - 1]) {
        ctx.addIssue({ code: "custom", path: ["steps", i], message: "steps must not decrease" });
        break;
      }
    }
  });

/** The replay rule (experiment/replay.ts) and whether the parameters were stored. */
const trajectoryReplaySchema = z.looseObject({
  maxCheckpoints: count,
  every: count,
  parametersStored: z.boolean(),
  storedFloatsBound: count,
});

export const trajectorySectionSchema = z
  .looseObject({
    method: z.enum(TRAJECTORY_METHODS),
    /** pca: the fraction of the checkpoints' variance each axis explains. */
    explained: z.tuple([z.number(), z.number()]).optional(),
    /** pca, as earlier versions: run 1's checkpoints the plane came from. */
    epochs: z.array(count).optional(),
    steps: z.array(count).optional(),
    x: z.array(maybe).optional(),
    y: z.array(maybe).optional(),
    loss: z.array(maybe).optional(),
    runs: z.array(trajectoryRunSchema).optional(),
    replay: trajectoryReplaySchema.optional(),
    /** Race: the initialization every run started from. */
    initial: float32ArrayCodec.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.epochs === undefined) return;
    const n = t.epochs.length;
    for (const key of ["steps", "x", "y", "loss"] as const) {
      const column = t[key];
      if (column !== undefined && column.length !== n) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `expected ${n} entries (one per checkpoint, as epochs), got ${column.length}`,
        });
      }
    }
  });

export type TrajectorySection = z.output<typeof trajectorySectionSchema>;
export type TrajectorySectionRun = z.output<typeof trajectoryRunSchema>;

/** A run's path as a reader draws it: columns with NaN for non-finite values. */
export interface DrawnTrajectoryRun {
  label: string;
  epochs: number[];
  steps: number[];
  x: Float64Array;
  /** Absent on a 1-D landscape. */
  y?: Float64Array;
  loss: Float64Array;
  /** Absent when the section does not say (an earlier version's PCA section). */
  offPlane?: Float64Array;
  accuracy?: Float64Array;
  parameters?: Float32Array[];
  final?: TrajectorySectionRun["final"];
}

const column = (values: readonly (number | null)[]) => Float64Array.from(values, (v) => v ?? Number.NaN);

/** A run's state at optimizer step `t`: the checkpoint at or before it and interpolated values. */
export interface RunState {
  /** Index of the last checkpoint at or before t. */
  k: number;
  x: number;
  y: number;
  loss: number;
  accuracy: number;
  epoch: number;
}

/** Linear interpolation that keeps the finite end when the other is not finite. */
export function lerp(a: number, b: number, f: number): number {
  if (!Number.isFinite(a)) return b;
  if (!Number.isFinite(b) || f <= 0) return a;
  return a + (b - a) * f;
}

/**
 * The state of `run` at step t (clamped to its first and last checkpoints): columns interpolated
 * linearly in the step between the checkpoint at or before t and the next. The app's replay and
 * the CLI's animation draw the same frames from it.
 */
export function runStateAt(run: DrawnTrajectoryRun, t: number): RunState {
  const s = run.steps;
  let k = 0;
  while (k + 1 < s.length && s[k + 1] <= t) k++;
  const next = Math.min(k + 1, s.length - 1);
  const f = next > k && s[next] > s[k] ? Math.min(1, Math.max(0, (t - s[k]) / (s[next] - s[k]))) : 0;
  const col = (c: ArrayLike<number> | undefined) => (c ? lerp(c[k], c[next], f) : Number.NaN);
  return {
    k,
    x: col(run.x),
    y: col(run.y),
    loss: col(run.loss),
    accuracy: col(run.accuracy),
    epoch: lerp(run.epochs[k], run.epochs[next], f),
  };
}

/**
 * The runs of a trajectory section as readers draw them: `runs` when present, else the PCA
 * columns of an earlier version as one run labelled "training"; [] when there is nothing to draw.
 *
 * @example for (const run of trajectoryRunsOf(snapshot.trajectory)) drawPath(run.x, run.y);
 */
export function trajectoryRunsOf(t: TrajectorySection | undefined): DrawnTrajectoryRun[] {
  if (!t) return [];
  if (t.runs && t.runs.length > 0) {
    return t.runs.map((r) => {
      const out: DrawnTrajectoryRun = {
        label: r.label,
        epochs: r.epochs,
        steps: r.steps,
        x: column(r.x),
        loss: column(r.loss),
        offPlane: column(r.offPlane),
      };
      if (r.y) out.y = column(r.y);
      if (r.accuracy) out.accuracy = column(r.accuracy);
      if (r.parameters) out.parameters = r.parameters;
      if (r.final) out.final = r.final;
      return out;
    });
  }
  if (!t.epochs || !t.x) return [];
  const out: DrawnTrajectoryRun = {
    label: "training",
    epochs: t.epochs,
    steps: t.steps ?? t.epochs,
    x: column(t.x),
    loss: column(t.loss ?? t.x.map(() => null)),
  };
  if (t.y) out.y = column(t.y);
  return [out];
}

/**
 * Problems of a trajectory section that depend on the rest of the snapshot: parameter vectors
 * and the race's initialization must have the length of model.parameters, and the runs must have
 * y exactly when the grid has two axes. One `path: message` line each; [] when it agrees.
 *
 * @example const problems = trajectoryProblems(snapshot.trajectory, snapshot.model.parameters.length, snapshot.grid.axes.length);
 */
export function trajectoryProblems(
  t: TrajectorySection | undefined,
  parameterCount: number,
  axes: number,
): string[] {
  if (!t) return [];
  const problems: string[] = [];
  if (t.initial && t.initial.length !== parameterCount) {
    problems.push(
      `trajectory.initial: expected ${parameterCount} values (model.parameters), got ${t.initial.length}`,
    );
  }
  t.runs?.forEach((r, i) => {
    const bad = r.parameters?.find((p) => p.length !== parameterCount);
    if (bad) {
      problems.push(
        `trajectory.runs[${i}].parameters: expected ${parameterCount} values per checkpoint (model.parameters), got ${bad.length}`,
      );
    }
    if (axes === 2 && !r.y)
      problems.push(`trajectory.runs[${i}].y: a 2-D landscape's runs need y coordinates`);
    if (axes === 1 && r.y) problems.push(`trajectory.runs[${i}].y: a 1-D landscape's runs have x only`);
  });
  return problems;
}
