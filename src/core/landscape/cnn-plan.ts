/**
 * The plan the fast layers-model evaluator (tfjs-cnn-evaluator.ts) runs: a layers model
 * (model/layers.ts: CNNs and imported tfjs models) cut into the part that is linear in the
 * coordinates and the part that is not, with two rewrites that give the same numbers for less work.
 * Pure and tfjs-free.
 *
 * - prefix: the parameter-free layers before the first layer with parameters (they act on the
 *   data alone, so they run once per block of samples);
 * - first: the first Dense or Conv2D layer, WITHOUT its activation. It is linear in its own
 *   kernel and bias, so on theta + sum_k c_k d_k its output is S_0 + sum_k c_k S_k, with S_0 the
 *   layer applied to the data with theta's kernel and bias and S_k with d_k's blocks;
 * - rest: the first layer's activation, then every later layer, run once per grid point with
 *   that point's kernels (and BatchNormalization layers with that point's gamma and beta: in
 *   evaluation mode a BN layer is a per-channel affine map with the moving statistics it carries).
 *
 * Not planned (cnnPlanRefusal; the "naive" evaluator runs them): a BatchNormalization with
 * parameters before the first Dense / Conv2D layer (it would need the point's gamma and beta in
 * the part that runs once), and a model whose BN statistics are recomputed at every point
 * (batchNorm.statistics "recompute": update_bn per point is a training-data pass of its own).
 *
 * Rewrites (both exact: the outputs the model's loss reads are the same numbers):
 * - pool before activation: every activation here (relu, tanh, sigmoid, elu, softplus, linear) is
 *   non-decreasing, so maxPool(act(z)) = act(maxPool(z)) (a max picks the same element either
 *   way); between the first layer and the next layer with parameters, a maxPool moves ahead of
 *   the activations before it, which then run on poolH * poolW times fewer values (the first
 *   layer's activation cannot be fused into it: its output is a combination, not a conv);
 * - crop before a valid pool: a "valid" maxPool reads only the first (ohp - 1) sh + ph rows (and
 *   columns) of its input; a "same"-padded conv right before it (through activations and dropout)
 *   then needs less bottom / right padding, so it computes only the rows and columns the pool
 *   reads. The digits CNN's second conv (7x7 -> pool 3x3) computes 6x6 outputs, not 7x7: 36/49 of
 *   the multiply-adds. The top / left padding, and so every computed value, is unchanged. A
 *   BatchNormalization between them acts per position, so the crop looks through it too (a pool
 *   never moves ahead of one: with a negative gamma it is not monotone).
 *
 * @example const plan = cnnPlan(arch); plan.first?.layer // 0 for the digits CNN
 */
import {
  type LayerActivation,
  type LayerSpec,
  type LayersArchitecture,
  layerShapes,
  samePadding,
} from "../model/layers";
import { shapeSize } from "../model/layout";

/** Conv padding: one of tfjs's names, or explicit [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type ConvPad = "valid" | "same" | [[0, 0], [number, number], [number, number], [0, 0]];

/** An elementwise activation ("linear" where the model's last softmax is read as logits). */
type StepActivation = Exclude<LayerActivation, "softmax">;

export type PlanStep =
  | {
      op: "conv2d";
      layer: number;
      /** Index in the layout of the kernel [kh, kw, in, out] and of the bias (null: no bias). */
      kernel: number;
      bias: number | null;
      strides: [number, number];
      pad: ConvPad;
      activation: StepActivation;
      /** Per-sample output shape [oh, ow, filters] (after cropping). */
      outShape: number[];
    }
  | {
      op: "dense";
      layer: number;
      kernel: number;
      bias: number | null;
      activation: StepActivation;
      /** Per-sample input and output shapes (a Dense layer acts on the last axis). */
      inShape: number[];
      outShape: number[];
    }
  | {
      op: "maxPool";
      poolSize: [number, number];
      strides: [number, number];
      padding: "valid" | "same";
      outShape: number[];
    }
  | { op: "activation"; activation: StepActivation }
  | { op: "reshape"; outShape: number[] }
  | {
      op: "batchNorm";
      /** The layer, with its moving statistics and epsilon. */
      spec: Extract<LayerSpec, { type: "batchNormalization" }>;
      /** Index in the layout of gamma and of beta (null: the layer has none). */
      gamma: number | null;
      beta: number | null;
    };

export type LinearStep = Extract<PlanStep, { op: "conv2d" | "dense" }>;

export interface CnnPlan {
  prefix: PlanStep[];
  /** The first layer with parameters, its activation left out (it starts `rest`); null: none. */
  first: LinearStep | null;
  rest: PlanStep[];
  /** Values per sample of the first layer's (cropped) output: the length of S_k per sample. */
  firstSize: number;
  /** Largest values per sample of any intermediate tensor (bounds the memory of a chunk). */
  widest: number;
  outputSize: number;
}

/**
 * Bottom (or right) padding of a "same" conv along one axis, reduced so that the conv computes
 * at least `need` outputs (and still every output at and above the kept ones is the same).
 * out(b) = floor((input + top + b - window) / stride) + 1.
 */
function croppedPad(
  input: number,
  window: number,
  stride: number,
  top: number,
  bottom: number,
  need: number,
): number {
  for (let b = 0; b < bottom; b++) {
    if (Math.floor((input + top + b - window) / stride) + 1 >= need) return b;
  }
  return bottom;
}

/**
 * Why the plan cannot run a layers model exactly (then the "naive" evaluator does), or null: BN
 * statistics recomputed at every point, or a BatchNormalization with parameters before the first
 * Dense / Conv2D layer.
 *
 * @example cnnPlanRefusal({ ...arch, batchNorm: { statistics: "recompute", batchSize: 128 } }) // "its BatchNorm statistics are recomputed ..."
 */
export function cnnPlanRefusal(arch: LayersArchitecture): string | null {
  if (arch.batchNorm?.statistics === "recompute")
    return 'its BatchNorm statistics are recomputed at every point (model.bnStatistics "recompute")';
  for (const [i, l] of arch.layers.entries()) {
    if (l.type === "dense" || l.type === "conv2d") return null;
    if (l.type === "batchNormalization" && (l.scale || l.center))
      return `layer ${i} "${l.name}" is a BatchNormalization with parameters before the first Dense or Conv2D layer`;
  }
  return null;
}

/** Builds the plan; throws when the layout's order does not match the layers (layerShapes) or cnnPlanRefusal says why not. */
export function cnnPlan(arch: LayersArchitecture): CnnPlan {
  const refusal = cnnPlanRefusal(arch);
  if (refusal) throw new Error(`the batched layers plan cannot run this model: ${refusal}`);
  const { shapes, owners } = layerShapes(arch);
  const kernelOf = new Map<number, number>();
  const biasOf = new Map<number, number>();
  const gammaOf = new Map<number, number>();
  owners.forEach((o, i) => {
    const of = { kernel: kernelOf, bias: biasOf, gamma: gammaOf, beta: biasOf }[o.role];
    of.set(o.layer, i);
  });
  const last = arch.layers.length - 1;
  const act = (a: LayerActivation, i: number): StepActivation => {
    // layerShapes refuses a softmax anywhere but last; there it is read as logits.
    if (a === "softmax") {
      if (i !== last) throw new Error(`layer ${i}: softmax is supported only as the last operation`);
      return "linear";
    }
    return a;
  };

  /** Rows and columns a "valid" maxPool after layer i (through activations / dropout) reads, or null. */
  const poolNeeds = (i: number): [number, number] | null => {
    for (let j = i + 1; j <= last; j++) {
      const l = arch.layers[j];
      if (l.type === "activation" || l.type === "dropout" || l.type === "batchNormalization") continue;
      if (l.type !== "maxPooling2d" || l.padding !== "valid") return null;
      const [ohp, owp] = shapes[j + 1];
      return [(ohp - 1) * l.strides[0] + l.poolSize[0], (owp - 1) * l.strides[1] + l.poolSize[1]];
    }
    return null;
  };

  const steps: PlanStep[] = [];
  arch.layers.forEach((layer, i) => {
    const inShape = shapes[i];
    switch (layer.type) {
      case "conv2d": {
        const [h, w] = inShape;
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = layer.strides;
        let pad: ConvPad = layer.padding;
        let outShape = shapes[i + 1];
        const needs = poolNeeds(i);
        if (layer.padding === "same" && needs) {
          const [top, bottom] = samePadding(h, kh, sh);
          const [left, right] = samePadding(w, kw, sw);
          const b = croppedPad(h, kh, sh, top, bottom, needs[0]);
          const r = croppedPad(w, kw, sw, left, right, needs[1]);
          if (b !== bottom || r !== right) {
            pad = [
              [0, 0],
              [top, b],
              [left, r],
              [0, 0],
            ];
            outShape = [
              Math.floor((h + top + b - kh) / sh) + 1,
              Math.floor((w + left + r - kw) / sw) + 1,
              layer.filters,
            ];
          }
        }
        steps.push({
          op: "conv2d",
          layer: i,
          kernel: kernelOf.get(i) as number,
          bias: biasOf.get(i) ?? null,
          strides: layer.strides,
          pad,
          activation: act(layer.activation, i),
          outShape,
        });
        break;
      }
      case "dense": {
        // Never a cropped input: a crop only happens right before a pool, which restores the shape.
        steps.push({
          op: "dense",
          layer: i,
          kernel: kernelOf.get(i) as number,
          bias: biasOf.get(i) ?? null,
          activation: act(layer.activation, i),
          inShape,
          outShape: shapes[i + 1],
        });
        break;
      }
      case "maxPooling2d":
        steps.push({
          op: "maxPool",
          poolSize: layer.poolSize,
          strides: layer.strides,
          padding: layer.padding,
          outShape: shapes[i + 1],
        });
        break;
      case "flatten":
        steps.push({ op: "reshape", outShape: shapes[i + 1] });
        break;
      case "activation":
        steps.push({ op: "activation", activation: act(layer.activation, i) });
        break;
      case "batchNormalization":
        steps.push({
          op: "batchNorm",
          spec: layer,
          gamma: gammaOf.get(i) ?? null,
          beta: biasOf.get(i) ?? null,
        });
        break;
      case "dropout":
        break;
    }
  });
  // Shapes seen by the steps: a cropped conv's output differs from shapes[] until its pool.
  const widest = Math.max(
    shapeSize(arch.inputShape),
    ...steps.map((s) => ("outShape" in s ? shapeSize(s.outShape) : 0)),
  );

  const f = steps.findIndex((s) => s.op === "conv2d" || s.op === "dense");
  if (f < 0) {
    return {
      prefix: steps,
      first: null,
      rest: [],
      firstSize: 0,
      widest,
      outputSize: arch.outputSize,
    };
  }
  const first = steps[f] as LinearStep;
  let next = steps.findIndex((s, j) => j > f && (s.op === "conv2d" || s.op === "dense"));
  if (next < 0) next = steps.length;
  const between: PlanStep[] = [];
  if (first.activation !== "linear") between.push({ op: "activation", activation: first.activation });
  between.push(...steps.slice(f + 1, next));
  // Move each maxPool ahead of the activations right before it (pool before activation, above).
  for (let j = 1; j < between.length; j++) {
    for (let q = j; q > 0 && between[q].op === "maxPool" && between[q - 1].op === "activation"; q--) {
      [between[q - 1], between[q]] = [between[q], between[q - 1]];
    }
  }
  return {
    prefix: steps.slice(0, f),
    first: { ...first, activation: "linear" },
    rest: [...between, ...steps.slice(next)],
    firstSize: shapeSize(first.outShape),
    widest,
    outputSize: arch.outputSize,
  };
}
