/**
 * The permutation symmetry of an ONNX graph (torch.onnx.export's MLPs and CNNs), found by
 * following channels through the graph: the permutation spec of git-re-basin, derived rather than
 * written by hand.
 *
 * Every activation [N, C, ...] (or [N, F]) has its channels on axis 1. Channels that must move
 * together are joined (a union-find over "value, axis" slots):
 * - Conv (group 1): W [O, I, kh, kw] axis 0 and B with the output's channels, W axis 1 with the
 *   input's; a depthwise Conv (group = input channels) ties output to input channels (O = k C:
 *   k outputs per input channel, moved as a block). Conv output channels are the units.
 * - Gemm / MatMul with a weight: the weight's output axis (B [out, in] with transB) and the bias
 *   with the output's features, its input axis with the input's.
 * - BatchNormalization: scale, bias, running mean and running variance with the channels, so BN
 *   channels are permuted with the conv before them (the statistics are graph constants, never
 *   parameters: `permuteOnnxConstants` moves them).
 * - Elementwise ops (activations, Dropout, Identity, pooling, GlobalAveragePool, a ReduceMean over
 *   spatial axes) keep the channels; Add / Sub / Mul / Div join the channels of their inputs (a
 *   residual Add makes the block's input and output one stream, as git-re-basin's ResNet spec).
 * - Flatten of [N, C, H, W] gives C * H * W features, H * W per channel: the next Dense weight's
 *   input axis moves in blocks of H * W.
 * - The graph's input and output channels never move; any other operator (Reshape, Transpose,
 *   Concat, a Softmax inside the graph, Constant nodes) fixes every channel it touches. This is
 *   conservative: a group that cannot be proved free stays the identity, so the permuted model
 *   always computes the same function.
 *
 * A group no parameter touches is dropped (nothing to match it on).
 *
 * @example const { spec, tensors } = onnxPermutationSpec(arch); const m = weightMatchingBySpec(spec, tensors, a, b);
 */
import type { OnnxArchitecture, OnnxConstant, OnnxNode } from "../onnx/graph";
import { onnxParameterTensors } from "../onnx/load";
import { constantValue, isInts, type OnnxValue, runNode } from "../onnx/ops";
import { tf } from "../tf";
import {
  applySpecPermutations,
  assertSpecPermutations,
  type PermutationSpec,
  type PermutedAxis,
  permuteTensor,
  type SpecMatchingOptions,
  type SpecMatchingResult,
  type SpecTensor,
  weightMatchingBySpec,
} from "./spec";

/** The shape of every value of the graph, from one forward pass over a zero sample. */
function onnxValueShapes(arch: OnnxArchitecture, parameters: Float32Array): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  tf.tidy(() => {
    const values = new Map<string, OnnxValue>();
    const record = (name: string, v: OnnxValue) => {
      values.set(name, v);
      shapes.set(name, isInts(v) ? [...v.dims] : [...v.shape]);
    };
    record(arch.inputName, tf.zeros([1, ...arch.inputShape]));
    for (const c of arch.constants) record(c.name, constantValue(c));
    const params = onnxParameterTensors(arch, parameters);
    arch.parameters.forEach((p, i) => {
      record(p.name, params[i]);
    });
    for (const node of arch.nodes) {
      const outputs = runNode(
        node,
        node.inputs.map((n) => (n === "" ? undefined : values.get(n))),
        arch.opset,
      );
      node.outputs.forEach((name, i) => {
        if (name !== "" && outputs[i] !== undefined) record(name, outputs[i]);
      });
    }
  });
  return shapes;
}

/** Union-find over slots; slot s = root (x) inner: entry i of s is entry i % inner of unit floor(i / inner) of root. */
class ChannelFlow {
  private parent = new Map<string, string>();
  private factor = new Map<string, number>();
  private size = new Map<string, number>();
  readonly fixed = new Set<string>();

  constructor(private shapes: Map<string, number[]>) {}

  slot(value: string, axis: number): string | undefined {
    const shape = this.shapes.get(value);
    if (!shape || axis >= shape.length) return undefined;
    const key = `${value}\u0000${axis}`;
    if (!this.parent.has(key)) {
      this.parent.set(key, key);
      this.factor.set(key, 1);
      this.size.set(key, shape[axis]);
    }
    return key;
  }

  /** The slot if the analysis touched it, else undefined (an axis nothing relates, e.g. a kernel's kh). */
  existing(value: string, axis: number): string | undefined {
    const key = `${value}\u0000${axis}`;
    return this.parent.has(key) ? key : undefined;
  }

  find(s: string): { root: string; inner: number } {
    const p = this.parent.get(s) as string;
    if (p === s) return { root: s, inner: 1 };
    const up = this.find(p);
    const inner = (this.factor.get(s) as number) * up.inner;
    this.parent.set(s, up.root);
    this.factor.set(s, inner);
    return { root: up.root, inner };
  }

  fix(s: string | undefined): void {
    if (s !== undefined) this.fixed.add(this.find(s).root);
  }

  isFixed(root: string): boolean {
    return this.fixed.has(root);
  }

  sizeOf(root: string): number {
    return this.size.get(root) as number;
  }

  /** s = t (x) m: entry i of s is entry i % m of t's entry floor(i / m). Fixes both when impossible. */
  relate(s: string | undefined, t: string | undefined, m = 1): void {
    if (s === undefined || t === undefined) {
      this.fix(s);
      this.fix(t);
      return;
    }
    if (this.size.get(s) !== (this.size.get(t) as number) * m) {
      this.fix(s);
      this.fix(t);
      return;
    }
    const a = this.find(s); // s = A (x) a.inner
    const b = this.find(t); // t = B (x) b.inner, so s = B (x) (b.inner * m)
    const mb = b.inner * m;
    if (a.root === b.root) {
      if (a.inner !== mb) this.fixed.add(a.root);
      return;
    }
    const fixed = this.fixed.has(a.root) || this.fixed.has(b.root);
    // A (x) a.inner = B (x) mb: the root with fewer units carries the other, which becomes its
    // child (A (x) k (x) mb = B (x) mb means B = A (x) k).
    if (a.inner >= mb && a.inner % mb === 0) {
      this.parent.set(b.root, a.root);
      this.factor.set(b.root, a.inner / mb);
      if (fixed) this.fixed.add(a.root);
    } else if (mb > a.inner && mb % a.inner === 0) {
      this.parent.set(a.root, b.root);
      this.factor.set(a.root, mb / a.inner);
      if (fixed) this.fixed.add(b.root);
    } else {
      this.fixed.add(a.root);
      this.fixed.add(b.root);
    }
  }
}

function attr(node: OnnxNode, key: string, fallback: number): number {
  const v = node.attributes[key];
  return typeof v === "number" ? v : fallback;
}

/** A permutation spec of an ONNX model, and the tensors (parameters, then constants) it covers. */
interface OnnxPermutationSpec {
  spec: PermutationSpec;
  /** The parameters in flat-vector order (the layout). */
  tensors: SpecTensor[];
  /** Constants (BN running statistics) that move with a group. */
  constants: SpecTensor[];
}

/**
 * The permutation spec of an ONNX model (see the header for the rules). `parameters` is any
 * parameter vector of the model (only shapes are read).
 *
 * @example onnxPermutationSpec(cnn.arch, cnn.parameters).spec.perms // [{ name: "conv1.weight axis 0", size: 4 }]
 */
export function onnxPermutationSpec(arch: OnnxArchitecture, parameters: Float32Array): OnnxPermutationSpec {
  const shapes = onnxValueShapes(arch, parameters);
  const flow = new ChannelFlow(shapes);
  const paramNames = new Set(arch.parameters.map((p) => p.name));
  const constNames = new Set(arch.constants.map((c) => c.name));
  const frozen = new Set<string>(); // Constant node outputs: their values live in the graph
  const isTensor = (v: string) => paramNames.has(v) || constNames.has(v) || frozen.has(v);
  const rank = (v: string) => shapes.get(v)?.length ?? 0;
  const dim = (v: string, k: number) => (shapes.get(v) as number[])[k];
  /** The channel slot of an activation (axis 1 of rank >= 2), undefined otherwise. */
  const act = (v: string) => (!isTensor(v) && rank(v) >= 2 ? flow.slot(v, 1) : undefined);
  const fixValue = (v: string) => {
    if (v === "" || !shapes.has(v)) return;
    if (isTensor(v)) for (let k = 0; k < rank(v); k++) flow.fix(flow.slot(v, k));
    else flow.fix(act(v));
  };
  const opaque = (node: OnnxNode) => {
    for (const v of [...node.inputs, ...node.outputs]) fixValue(v);
  };
  const same = (y: string, x: string) => {
    const sy = act(y);
    const sx = act(x);
    if (sy === undefined && sx === undefined) return;
    flow.relate(sy, sx);
  };

  for (const node of arch.nodes) {
    const [x, w, b] = node.inputs;
    const y = node.outputs[0];
    switch (node.op) {
      case "Relu":
      case "LeakyRelu":
      case "Tanh":
      case "Sigmoid":
      case "Elu":
      case "Softplus":
      case "Neg":
      case "Identity":
      case "Dropout":
      case "MaxPool":
      case "AveragePool":
      case "GlobalAveragePool":
        if (isTensor(x)) opaque(node);
        else same(y, x);
        break;
      case "BatchNormalization": {
        if (isTensor(x) || rank(x) < 2) {
          opaque(node);
          break;
        }
        same(y, x);
        for (const s of node.inputs.slice(1, 5)) {
          if (isTensor(s) && rank(s) === 1) flow.relate(flow.slot(s, 0), act(x));
          else fixValue(s);
        }
        for (const extra of node.outputs.slice(1)) fixValue(extra);
        break;
      }
      case "Conv": {
        if (isTensor(x) || !isTensor(w) || rank(w) !== 4 || (b && !isTensor(b))) {
          opaque(node);
          break;
        }
        const group = attr(node, "group", 1);
        const channels = dim(x, 1);
        if (group === 1) {
          flow.relate(flow.slot(w, 0), act(y));
          flow.relate(flow.slot(w, 1), act(x));
        } else if (group === channels && dim(w, 1) === 1) {
          // Depthwise: output channel o reads input channel floor(o / k), k = O / C.
          flow.relate(act(y), act(x), dim(w, 0) / channels);
          flow.relate(flow.slot(w, 0), act(y));
        } else {
          opaque(node);
          break;
        }
        if (b) flow.relate(flow.slot(b, 0), act(y));
        break;
      }
      case "Gemm":
      case "MatMul": {
        const transB = node.op === "Gemm" && attr(node, "transB", 0) === 1;
        const transA = node.op === "Gemm" && attr(node, "transA", 0) === 1;
        if (isTensor(x) || rank(x) !== 2 || transA || !isTensor(w) || rank(w) !== 2) {
          opaque(node);
          break;
        }
        flow.relate(flow.slot(w, transB ? 1 : 0), act(x));
        flow.relate(flow.slot(w, transB ? 0 : 1), act(y));
        if (node.op === "Gemm" && b) {
          const size = (shapes.get(b) ?? []).reduce((p, q) => p * q, 1);
          if (!isTensor(b)) opaque(node);
          else if (rank(b) === 1 && dim(b, 0) === dim(y, 1) && size > 1) flow.relate(flow.slot(b, 0), act(y));
          else if (size !== 1) fixValue(b);
        }
        break;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const r = rank(y);
        const channels = r >= 2 ? dim(y, 1) : 1;
        for (const v of node.inputs) {
          const shape = shapes.get(v) ?? [];
          if (shape.reduce((p, q) => p * q, 1) === 1) continue;
          // Broadcasting aligns trailing axes: Y's axis 1 is the input's axis 1 - (r - rank).
          const k = 1 - (r - shape.length);
          if (r < 2 || k < 0 || shape[k] === 1) {
            // Constant along Y's channels; an activation's own axis 1 must then not move.
            if (!isTensor(v)) fixValue(v);
            continue;
          }
          if (shape[k] !== channels || (!isTensor(v) && k !== 1)) {
            fixValue(v);
            flow.fix(act(y));
            continue;
          }
          flow.relate(isTensor(v) ? flow.slot(v, k) : act(v), act(y));
        }
        break;
      }
      case "Flatten": {
        const a = attr(node, "axis", 1);
        if (isTensor(x) || rank(x) < 2 || (a < 0 ? a + rank(x) : a) !== 1) {
          opaque(node);
          break;
        }
        const inner = (shapes.get(x) as number[]).slice(2).reduce((p, q) => p * q, 1);
        flow.relate(act(y), act(x), inner);
        break;
      }
      case "ReduceMean": {
        const axesInput = node.inputs[1] ? arch.constants.find((c) => c.name === node.inputs[1]) : undefined;
        const axes = Array.isArray(node.attributes.axes)
          ? node.attributes.axes
          : axesInput?.dataType === "int64"
            ? axesInput.values
            : [];
        const r = rank(x);
        const normalized = axes.map((a) => (a < 0 ? a + r : a));
        if (isTensor(x) || r < 2 || normalized.length === 0 || normalized.some((a) => a < 2)) opaque(node);
        else same(y, x);
        break;
      }
      case "Constant":
        for (const o of node.outputs) frozen.add(o);
        opaque(node);
        break;
      default:
        opaque(node);
    }
  }
  flow.fix(act(arch.inputName));
  flow.fix(act(arch.outputName));

  // Groups: free roots of size > 1 that some parameter axis reaches.
  const groups = new Map<string, number>();
  const perms: PermutationSpec["perms"] = [];
  const axes: PermutationSpec["axes"] = {};
  const axisOf = (name: string, k: number, create: boolean): PermutedAxis | null => {
    const s = flow.existing(name, k);
    if (s === undefined) return null;
    const { root, inner } = flow.find(s);
    if (flow.isFixed(root) || flow.sizeOf(root) < 2) return null;
    let g = groups.get(root);
    if (g === undefined) {
      if (!create) return null;
      g = perms.length;
      groups.set(root, g);
      perms.push({ name: `${name} axis ${k}`, size: flow.sizeOf(root) });
    }
    return { perm: g, inner };
  };
  const tensors = arch.parameters.map((p) => ({ name: p.name, shape: [...p.shape] }));
  for (const t of tensors) {
    const list = t.shape.map((_, k) => axisOf(t.name, k, true));
    if (list.some((a) => a !== null)) axes[t.name] = list;
  }
  const constants: SpecTensor[] = [];
  for (const c of arch.constants) {
    if (c.dataType !== "float32") continue;
    const list = c.dims.map((_, k) => axisOf(c.name, k, false));
    if (list.some((a) => a !== null)) {
      axes[c.name] = list;
      constants.push({ name: c.name, shape: [...c.dims] });
    }
  }
  return { spec: { perms, axes }, tensors, constants };
}

/**
 * The model's constants (BN running statistics) permuted with their channels: the constants of
 * model B go with pi(theta_b). Other constants are returned as they are.
 */
function permuteOnnxConstants(
  arch: OnnxArchitecture,
  spec: PermutationSpec,
  perms: readonly ArrayLike<number>[],
): OnnxConstant[] {
  assertSpecPermutations(spec, perms);
  return arch.constants.map((c) => {
    const axes = spec.axes[c.name];
    if (!axes || c.dataType !== "float32") return c;
    return { ...c, values: Array.from(permuteTensor(Float32Array.from(c.values), c.dims, axes, perms)) };
  });
}

/** Weight matching of two parameter vectors of one ONNX graph, with B's constants to permute alongside. */
interface OnnxMatchingResult extends SpecMatchingResult {
  spec: PermutationSpec;
  /** B's architecture with its BN statistics permuted as its parameters are. */
  applyConstants(archB: OnnxArchitecture): OnnxArchitecture;
}

/**
 * Aligns model B (thetaB, with its own running statistics in archB) to model A: conv output
 * channels and hidden units as units, BN channels with them (onnxPermutationSpec), matched on the
 * parameters (git-re-basin's weight matching). `apply(thetaB)` and `applyConstants(archB)` give
 * the aligned B, which computes the same function as B.
 *
 * @example const m = onnxWeightMatching(arch, a, b); const aligned = { arch: m.applyConstants(archB), theta: m.apply(b) };
 */
export function onnxWeightMatching(
  arch: OnnxArchitecture,
  thetaA: Float32Array,
  thetaB: Float32Array,
  options: SpecMatchingOptions = {},
): OnnxMatchingResult {
  const { spec, tensors } = onnxPermutationSpec(arch, thetaA);
  const result = weightMatchingBySpec(spec, tensors, thetaA, thetaB, options);
  return {
    ...result,
    spec,
    applyConstants: (archB) => ({
      ...archB,
      constants: permuteOnnxConstants(archB, spec, result.permutations),
    }),
  };
}

/** pi(theta) and the permuted constants of one ONNX model, for given permutations of its spec. */
export function permuteOnnxModel(
  arch: OnnxArchitecture,
  theta: Float32Array,
  spec: PermutationSpec,
  perms: readonly ArrayLike<number>[],
): { arch: OnnxArchitecture; parameters: Float32Array } {
  const tensors = arch.parameters.map((p) => ({ name: p.name, shape: p.shape }));
  return {
    arch: { ...arch, constants: permuteOnnxConstants(arch, spec, perms) },
    parameters: applySpecPermutations(spec, tensors, theta, perms),
  };
}
