/**
 * An MLP's mini-batch gradient, optimizer step and Hessian-vector product in the WebAssembly
 * kernel (mlp-train.as), with the training and test splits held in the kernel's memory. The
 * passes are strung together here; the maths (model/forward.ts and model/loss.ts semantics):
 *
 *   forward   Z_l = H_{l-1} W_l + b_l (H_{-1} = X); hidden: A_l = act(Z_l), H_l = A_l (+ H_{l-1}
 *             on residual layers); the last Z is the output.
 *   loss      cross-entropy: mean_r -log softmax(Z_r)[y_r], dZ = (softmax(Z) - onehot) / N;
 *             mse: mean over N x out of (Z - Y)^2, dZ = 2 (Z - Y) / (N out).
 *   backward  dW_l = H_{l-1}^T dZ_l, db_l = sum_r dZ_l; dH_{l-1} = dZ_l W_l^T (+ dH_l on a
 *             residual layer l); dZ_{l-1} = dH_{l-1} * act'(Z_{l-1}).
 *   H v       Pearlmutter's R-op (1994): R{.} is the directional derivative along v = (V_l, c_l).
 *             R{Z_l} = R{H_{l-1}} W_l + H_{l-1} V_l + c_l; R{H_l} = act'(Z_l) R{Z_l} (+ R{H_{l-1}});
 *             R{dZ_out} = p (R{Z} - <p, R{Z}>) / N (cross-entropy) or 2 R{Z} / (N out) (mse);
 *             R{dH_{l-1}} = R{dZ_l} W_l^T + dZ_l V_l^T (+ R{dH_l});
 *             R{dZ_{l-1}} = R{dH_{l-1}} act' + dH_{l-1} act'' R{Z_{l-1}};
 *             (H v)_l = (R{H_{l-1}}^T dZ_l + H_{l-1}^T R{dZ_l}, sum_r R{dZ_l}). Exact, not a
 *             finite difference; at ReLU kinks the almost-everywhere Hessian, as tfjs's.
 *
 * Memory: parameters in the kernel's padded layout (each row of W_l and b_l padded to out4, a
 * multiple of 4, with zeros), activations per chunk of at most CHUNK rows (train-memory.ts plans
 * where everything lives). Sums over more rows than a chunk add the chunks' gradients, each
 * already divided by the total count.
 *
 * @example const k = new MlpTrainKernel({ arch, loss, dataset, train }); k.setParameters(theta);
 *          const loss = k.lossAndGradient(rows); k.optimizerStep(settings, 1); k.dispose();
 */
import type { DataSplit, Dataset } from "../data/types";
import { layerWidths, mlpLayout } from "../model/mlp";
import type { LossKind, MlpArchitecture } from "../model/types";
import {
  ACTIVATION_CODES,
  instantiateKernel,
  type KernelVariant,
  resolveKernelVariant,
} from "./kernel-module";
import type { TrainExports } from "./train-exports";
import { CHUNK, planTrainMemory, round4, type StoredSplit, type TrainLayer } from "./train-memory";

export { CHUNK } from "./train-memory";

/** Activations with act(0) != 0, whose padding columns must be zeroed after the activation. */
const NONZERO_AT_ZERO = new Set(["sigmoid", "softplus"]);
/** Keep in step with the optimizer codes in mlp-train.as. */
const OPTIMIZER_CODES = { sgd: 0, momentum: 1, adam: 2 } as const;

/** The optimizer settings the kernel applies (train/optimizers.ts's OptimizerSettings). */
interface KernelOptimizerSettings {
  optimizer: keyof typeof OPTIMIZER_CODES;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

interface MlpTrainKernelArgs {
  arch: MlpArchitecture;
  loss: LossKind;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">;
  /** The rows gradients and H v are taken over (a batch picks rows of it). */
  train: DataSplit;
  /** A second split, for evaluate("test"). */
  test?: DataSplit | null;
  /** Allocate optimizer state (momentum / Adam) and the SAM scratch. Default true. */
  optimizer?: boolean;
  variant?: KernelVariant | "auto";
}

export class MlpTrainKernel {
  readonly variant: KernelVariant;
  /** Length of the flat parameter vector (mlpLayout order). */
  readonly dimension: number;
  private readonly k: TrainExports;
  private readonly memory: WebAssembly.Memory;
  private readonly layers: TrainLayer[];
  private readonly act: number;
  /** Whether act(0) != 0, so that the activation fills padding columns that must be zeroed. */
  private readonly padsNonzero: boolean;
  private readonly classification: boolean;
  private readonly outputs: number;
  /** Floats of one padded parameter block. */
  private readonly block: number;
  /** Parameter blocks (byte pointers). */
  private readonly params: number;
  private readonly grad: number;
  private readonly slot1: number;
  private readonly slot2: number;
  private readonly perturbed: number;
  private readonly dir: number;
  private readonly hv: number;
  private readonly splits: { train: StoredSplit; test: StoredSplit | null };
  /** Gathered batch: x [CHUNK, in4], y (int32 labels [CHUNK] or targets [CHUNK, out4]), row indices. */
  private readonly bx: number;
  private readonly by: number;
  private readonly rows: number;
  private readonly probs: number;
  private readonly out: number;
  private disposed = false;

  constructor(args: MlpTrainKernelArgs) {
    const { arch } = args;
    this.variant = resolveKernelVariant(args.variant ?? "auto");
    this.classification = args.dataset.task === "classification";
    if (this.classification !== (args.loss === "cross-entropy"))
      throw new Error(`wasm-kernel training: loss "${args.loss}" does not fit a ${args.dataset.task} task`);
    this.act = ACTIVATION_CODES[arch.activation];
    this.padsNonzero = NONZERO_AT_ZERO.has(arch.activation);
    if (this.act === undefined)
      throw new Error(`wasm-kernel training: unknown activation "${arch.activation}"`);
    const widths = layerWidths(arch);
    if (widths[0] !== args.dataset.inputSize || widths.at(-1) !== args.dataset.outputSize)
      throw new Error(
        `wasm-kernel training: the model is ${widths[0]} -> ${widths.at(-1)}, the data ${args.dataset.inputSize} -> ${args.dataset.outputSize}`,
      );
    this.outputs = args.dataset.outputSize;
    this.dimension = mlpLayout(arch).reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
    const plan = planTrainMemory({
      arch,
      widths,
      yWidth: this.classification ? 1 : Math.ceil(this.outputs / 4) * 4,
      train: args.train.count,
      test: args.test ? args.test.count : null,
      optimizer: args.optimizer ?? true,
    });
    this.block = plan.block;
    const { kernel, base } = instantiateKernel(this.variant, plan.bytes);
    this.k = kernel.exports as unknown as TrainExports;
    this.memory = kernel.memory;
    const m = plan.place(base);
    this.params = m.params;
    this.grad = m.grad;
    this.slot1 = m.slot1;
    this.slot2 = m.slot2;
    this.perturbed = m.perturbed;
    this.dir = m.dir;
    this.hv = m.hv;
    this.layers = m.layers;
    this.bx = m.bx;
    this.by = m.by;
    this.rows = m.rows;
    this.probs = m.probs;
    this.out = m.out;
    this.splits = m.splits;
    this.upload(args.train, this.splits.train, args.dataset.inputSize);
    if (args.test && this.splits.test) this.upload(args.test, this.splits.test, args.dataset.inputSize);
  }

  private f32(ptr: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, floats);
  }

  private upload(split: DataSplit, to: StoredSplit, inputSize: number): void {
    const n = split.count;
    const in4 = this.layers[0].in4;
    if (split.x.length !== n * inputSize)
      throw new Error(`wasm-kernel training: x has ${split.x.length} values, expected ${n} x ${inputSize}`);
    const x = this.f32(to.x, n * in4);
    for (let r = 0; r < n; r++) x.set(split.x.subarray(r * inputSize, (r + 1) * inputSize), r * in4);
    if (this.classification) {
      if (split.y.length !== n)
        throw new Error(`wasm-kernel training: y has ${split.y.length} labels, expected ${n}`);
      const labels = new Int32Array(this.memory.buffer, to.y, n);
      for (let r = 0; r < n; r++) {
        const c = split.y[r];
        if (!Number.isInteger(c) || c < 0 || c >= this.outputs)
          throw new Error(
            `wasm-kernel training: row ${r} has label ${c}, not a class index below ${this.outputs}`,
          );
        labels[r] = c;
      }
    } else {
      const m = this.outputs;
      const m4 = round4(m);
      if (split.y.length !== n * m)
        throw new Error(`wasm-kernel training: y has ${split.y.length} values, expected ${n} x ${m}`);
      const y = this.f32(to.y, n * m4);
      for (let r = 0; r < n; r++) y.set(split.y.subarray(r * m, (r + 1) * m), r * m4);
    }
  }

  private check(): void {
    if (this.disposed) throw new Error("wasm-kernel training: the kernel was disposed");
  }

  /** Flat (mlpLayout order) -> padded block at ptr. */
  private writeBlock(ptr: number, flat: Float32Array): void {
    if (flat.length !== this.dimension)
      throw new Error(`wasm-kernel training: expected ${this.dimension} parameters, got ${flat.length}`);
    const block = this.f32(ptr, this.block);
    block.fill(0);
    let o = 0;
    for (const L of this.layers) {
      for (let r = 0; r < L.inW; r++, o += L.outW) block.set(flat.subarray(o, o + L.outW), L.w + r * L.out4);
      block.set(flat.subarray(o, o + L.outW), L.b);
      o += L.outW;
    }
  }

  /** Padded block at ptr -> a new flat vector. */
  private readBlock(ptr: number): Float32Array {
    const block = this.f32(ptr, this.block);
    const flat = new Float32Array(this.dimension);
    let o = 0;
    for (const L of this.layers) {
      for (let r = 0; r < L.inW; r++, o += L.outW)
        flat.set(block.subarray(L.w + r * L.out4, L.w + r * L.out4 + L.outW), o);
      flat.set(block.subarray(L.b, L.b + L.outW), o);
      o += L.outW;
    }
    return flat;
  }

  setParameters(flat: Float32Array): void {
    this.check();
    this.writeBlock(this.params, flat);
  }

  parameters(): Float32Array {
    this.check();
    return this.readBlock(this.params);
  }

  /** The gradient of the last lossAndGradient / samGradient, flat. */
  gradient(): Float32Array {
    this.check();
    return this.readBlock(this.grad);
  }

  /** Whether every parameter is finite. */
  parametersFinite(): boolean {
    return this.f32(this.params, this.block).every(Number.isFinite);
  }

  /** Zero the optimizer's state (a new run from the current parameters). */
  resetOptimizer(): void {
    if (this.slot1) this.f32(this.slot1, this.block).fill(0);
    if (this.slot2) this.f32(this.slot2, this.block).fill(0);
  }

  /** The loss's normalisation: 1/N for cross-entropy, 1/(N out) for mse. */
  private lossScale(count: number): number {
    return this.classification ? 1 / count : 1 / (count * this.outputs);
  }

  /**
   * Stage rows [start, start + n) of the chosen rows of a split: with `rows`, gathered into the
   * batch buffers; without, pointers into the split itself.
   */
  private stage(
    split: StoredSplit,
    rows: Int32Array | null,
    start: number,
    n: number,
  ): { x: number; y: number } {
    const in4 = this.layers[0].in4;
    const yw = this.classification ? 1 : round4(this.outputs);
    if (!rows) return { x: split.x + start * in4 * 4, y: split.y + start * yw * 4 };
    new Int32Array(this.memory.buffer, this.rows, n).set(rows.subarray(start, start + n));
    this.k.gatherRows(this.bx, split.x, in4, this.rows, n);
    this.k.gatherRows(this.by, split.y, yw, this.rows, n);
    return { x: this.bx, y: this.by };
  }

  /** Forward pass of n rows at x with the parameters at w; derivatives (d1, and d2) when asked. */
  private forward(n: number, x: number, w: number, derivs: 0 | 1 | 2): void {
    const k = this.k;
    let input = x;
    for (const L of this.layers) {
      k.mm(input, L.in4, 1, n, L.inW, w + L.w * 4, L.out4, L.out4, L.z, L.out4, w + L.b * 4, 0);
      if (L.hidden) {
        const count = (n * L.out4) / 4;
        k.activate(L.z, L.a, count, this.act, 0);
        if (L.outW < L.out4 && this.padsNonzero) k.zeroColumns(L.a, n, L.out4, L.outW);
        if (L.residual) k.activate(L.a, L.h, count, ACTIVATION_CODES.linear, input);
        if (derivs > 0) k.derivatives(L.z, L.a, L.d1, derivs > 1 ? L.d2 : 0, count, this.act);
        input = L.h;
      }
    }
  }

  /** The loss head on n rows: adds to out[0..1]; writes dZ_out (scaled by s) and, for the R-op, p. */
  private head(n: number, y: number, s: number, grad: boolean, probs: boolean): void {
    const last = this.layers[this.layers.length - 1];
    if (this.classification) {
      this.k.crossEntropyHead(
        last.z,
        last.out4,
        n,
        this.outputs,
        y,
        s,
        grad ? last.dz : 0,
        probs ? this.probs : 0,
        this.out,
      );
    } else {
      this.k.squaredErrorHead(last.z, y, last.out4, n, this.outputs, s, grad ? last.dz : 0, this.out);
    }
  }

  /** W_l^T of the block at w into each layer's wt (or V_l^T into vt). */
  private transposeWeights(w: number, into: "wt" | "vt"): void {
    for (let l = 1; l < this.layers.length; l++) {
      const L = this.layers[l];
      this.k.transpose(L[into], w + L.w * 4, L.inW, L.outW, L.out4, L.in4);
    }
  }

  /** Backward pass of n rows at x (after forward with derivatives and head with grad): adds into g. */
  private backward(n: number, x: number, g: number): void {
    const k = this.k;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l];
      const input = l === 0 ? x : this.layers[l - 1].h;
      k.mm(input, 1, L.in4, L.inW, n, L.dz, L.out4, L.out4, g + L.w * 4, L.out4, 0, 1);
      k.addColumnSums(g + L.b * 4, L.dz, n, L.out4);
      if (l === 0) break;
      const P = this.layers[l - 1];
      k.mm(L.dz, L.out4, 1, n, L.outW, L.wt, L.in4, L.in4, P.dh, P.out4, 0, 0);
      if (L.residual) k.add(P.dh, L.dh, (n * P.out4) / 4);
      k.mul(P.dz, P.dh, P.d1, (n * P.out4) / 4);
    }
  }

  private zeroOut(): Float64Array {
    const out = new Float64Array(this.memory.buffer, this.out, 2);
    out.fill(0);
    return out;
  }

  /**
   * The mean loss over `rows` of the training split (all of it when null) at the parameters
   * (or at the perturbed block, for SAM), and its gradient into the gradient block.
   */
  lossAndGradient(rows: Int32Array | null, at: "params" | "perturbed" = "params"): number {
    this.check();
    const w = at === "params" ? this.params : this.perturbed;
    const split = this.splits.train;
    const count = rows ? rows.length : split.count;
    const s = this.lossScale(count);
    this.f32(this.grad, this.block).fill(0);
    const out = this.zeroOut();
    this.transposeWeights(w, "wt");
    for (let start = 0; start < count; start += CHUNK) {
      const n = Math.min(CHUNK, count - start);
      const { x, y } = this.stage(split, rows, start, n);
      this.forward(n, x, w, 1);
      this.head(n, y, s, true, false);
      this.backward(n, x, this.grad);
    }
    return out[0] * s;
  }

  /**
   * SAM's gradient (train/sam.ts) after lossAndGradient(rows): e = rho g / (||g|| + 1e-12), the
   * gradient at w + e into the gradient block; the parameters are untouched.
   */
  samGradient(rows: Int32Array | null, rho: number): void {
    this.check();
    if (!this.perturbed) throw new Error("wasm-kernel training: made without optimizer state");
    const norm = Math.fround(Math.sqrt(this.k.sumSquares(this.grad, this.block / 4)));
    const scale = Math.fround(rho / Math.fround(norm + 1e-12));
    this.k.addScaled(this.perturbed, this.params, this.grad, scale, this.block / 4);
    this.lossAndGradient(rows, "perturbed");
  }

  /** One optimizer update of the parameters from the gradient block; t counts steps from 1. */
  optimizerStep(s: KernelOptimizerSettings, t: number): void {
    this.check();
    if (!this.slot1) throw new Error("wasm-kernel training: made without optimizer state");
    const f = Math.fround;
    this.k.optimizerStep(
      OPTIMIZER_CODES[s.optimizer],
      this.params,
      this.grad,
      this.slot1,
      this.slot2,
      this.block / 4,
      f(s.learningRate),
      f(s.momentum),
      f(s.beta1),
      f(1 - s.beta1),
      f(s.beta2),
      f(1 - s.beta2),
      f(s.epsilon),
      f(s.weightDecay),
      f(1 - s.beta1 ** t),
      f(1 - s.beta2 ** t),
    );
  }

  /** Mean loss (and accuracy, for classification) over a whole split at the parameters. */
  evaluate(which: "train" | "test"): { loss: number; accuracy?: number } {
    this.check();
    const split = this.splits[which];
    if (!split) throw new Error(`wasm-kernel training: no ${which} split was given`);
    const s = this.lossScale(split.count);
    const out = this.zeroOut();
    for (let start = 0; start < split.count; start += CHUNK) {
      const n = Math.min(CHUNK, split.count - start);
      const { x, y } = this.stage(split, null, start, n);
      this.forward(n, x, this.params, 0);
      this.head(n, y, s, false, false);
    }
    const loss = out[0] * s;
    return this.classification ? { loss, accuracy: out[1] / split.count } : { loss };
  }

  /**
   * H v of the mean loss over the whole training split at the parameters (flat v in, flat H v
   * out), by the R-op (see the file's header).
   */
  hvp(v: Float32Array): Float32Array {
    this.check();
    this.writeBlock(this.dir, v);
    const k = this.k;
    const w = this.params;
    const split = this.splits.train;
    const s = this.lossScale(split.count);
    this.f32(this.hv, this.block).fill(0);
    this.zeroOut();
    this.transposeWeights(w, "wt");
    this.transposeWeights(this.dir, "vt");
    const last = this.layers[this.layers.length - 1];
    for (let start = 0; start < split.count; start += CHUNK) {
      const n = Math.min(CHUNK, split.count - start);
      const { x, y } = this.stage(split, null, start, n);
      this.forward(n, x, w, 2);
      this.head(n, y, s, true, this.classification);
      // R forward.
      let input = x;
      for (let l = 0; l < this.layers.length; l++) {
        const L = this.layers[l];
        k.mm(
          input,
          L.in4,
          1,
          n,
          L.inW,
          this.dir + L.w * 4,
          L.out4,
          L.out4,
          L.rz,
          L.out4,
          this.dir + L.b * 4,
          0,
        );
        if (l > 0) {
          const P = this.layers[l - 1];
          k.mm(P.rh, P.out4, 1, n, L.inW, w + L.w * 4, L.out4, L.out4, L.rz, L.out4, 0, 1);
        }
        if (L.hidden) {
          const count = (n * L.out4) / 4;
          k.mul(L.rh, L.d1, L.rz, count);
          if (L.residual) k.add(L.rh, this.layers[l - 1].rh, count);
          input = L.h;
        }
      }
      // R of the loss head.
      if (this.classification) k.crossEntropyR(this.probs, last.rz, last.out4, n, this.outputs, s, last.rdz);
      else k.scale(last.rdz, last.rz, 2 * s, (n * last.out4) / 4);
      // Backward and R backward.
      for (let l = this.layers.length - 1; l >= 0; l--) {
        const L = this.layers[l];
        const input = l === 0 ? x : this.layers[l - 1].h;
        const hv = this.hv;
        k.mm(input, 1, L.in4, L.inW, n, L.rdz, L.out4, L.out4, hv + L.w * 4, L.out4, 0, 1);
        k.addColumnSums(hv + L.b * 4, L.rdz, n, L.out4);
        if (l === 0) break;
        const P = this.layers[l - 1];
        k.mm(P.rh, 1, P.out4, L.inW, n, L.dz, L.out4, L.out4, hv + L.w * 4, L.out4, 0, 1);
        const count = (n * P.out4) / 4;
        k.mm(L.dz, L.out4, 1, n, L.outW, L.wt, L.in4, L.in4, P.dh, P.out4, 0, 0);
        k.mm(L.rdz, L.out4, 1, n, L.outW, L.wt, L.in4, L.in4, P.rdh, P.out4, 0, 0);
        k.mm(L.dz, L.out4, 1, n, L.outW, L.vt, L.in4, L.in4, P.rdh, P.out4, 0, 1);
        if (L.residual) {
          k.add(P.dh, L.dh, count);
          k.add(P.rdh, L.rdh, count);
        }
        k.mul(P.dz, P.dh, P.d1, count);
        k.mul(P.rdz, P.rdh, P.d1, count);
        k.addMul3(P.rdz, P.dh, P.d2, P.rz, count);
      }
    }
    return this.readBlock(this.hv);
  }

  dispose(): void {
    // The instance's memory goes with its last reference (instantiateKernel gives each its own).
    this.disposed = true;
  }
}
