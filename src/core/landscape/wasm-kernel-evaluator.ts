import {
  ACTIVATION_CODES,
  instantiateKernel,
  type KernelVariant,
  resolveKernelVariant,
} from "../kernel/kernel-module";
import { checkLabels, MemoryPlan, pad4 } from "../kernel/memory-plan";
import { requireMlp } from "../model/architecture";
import { layoutOffsets } from "../model/layout";
import { isResidualLayer, layerWidths, mlpLayout } from "../model/mlp";
import {
  checkCoords,
  checkProblem,
  type LandscapeEvaluator,
  type PreparedEvaluation,
  type SubspaceProblem,
} from "./evaluator";

const LINEAR = ACTIVATION_CODES.linear;

interface WasmKernelOptions {
  /** "auto" (default): relaxed SIMD where the runtime has it, else plain SIMD. */
  variant?: KernelVariant | "auto";
}

/** A prepared wasm-kernel evaluation; says which variant runs and how much memory it holds. */
interface WasmKernelPrepared extends PreparedEvaluation {
  readonly variant: KernelVariant;
  /** Bytes of this problem's WebAssembly memory (released by dispose). */
  readonly memoryBytes: number;
}

interface WasmKernelEvaluator extends LandscapeEvaluator {
  prepare(problem: SubspaceProblem): WasmKernelPrepared;
}

function checkLayoutMatchesArchitecture(problem: SubspaceProblem): void {
  const expected = mlpLayout(requireMlp(problem.arch, 'evaluator "wasm-kernel"'));
  const same =
    expected.length === problem.layout.length &&
    expected.every(
      (e, i) =>
        e.shape.length === problem.layout[i].shape.length &&
        e.shape.every((s, j) => s === problem.layout[i].shape[j]),
    );
  if (!same) throw new Error("wasm-kernel: the parameter layout does not match the MLP architecture");
  const { dataset } = problem;
  const arch = problem.arch;
  if (dataset.inputSize !== arch.inputSize || dataset.outputSize !== arch.outputSize) {
    throw new Error(
      `wasm-kernel: the data have ${dataset.inputSize} inputs and ${dataset.outputSize} outputs, ` +
        `the model ${arch.inputSize} and ${arch.outputSize}`,
    );
  }
  const total = layoutOffsets(expected).at(-1);
  if (problem.origin.length !== total) {
    throw new Error(`wasm-kernel: origin has ${problem.origin.length} values, the model has ${total}`);
  }
}

/**
 * The tuned CPU path: a WebAssembly SIMD kernel (AssemblyScript, src/core/kernel/mlp-kernel.as)
 * for the MLP forward pass, loss and accuracy of many parameter vectors, one vector at a time,
 * in one linear memory set up by prepare(). Activations live in strips of four samples
 * (column-major per strip), so every column of a strip is one f32x4.
 *
 * For a vector with coordinates c [K] and W_l(p) = W_l + sum_k c_k D_lk:
 * - layer 0 is linear in c: X W_0(p) + b_0(p) = (X W_0 + b_0) + sum_k c_k (X D_0k + db_0k); the
 *   K + 1 products [N, h0] are computed once in prepare() (float64 sums), and a vector's layer 0
 *   is made strip by strip inside layer 1's GEMM (K multiply-adds and the activation per value,
 *   in L1);
 * - a later layer forms W_l(p) and b_l(p) in memory, already in the GEMM's packed panel order,
 *   then runs a register-blocked GEMM (4 x 8 tiles: 8 f32x4 accumulators; cache blocked in
 *   256 x 256 blocks for wide layers) with bias, activation and residual fused; layers of at
 *   most 4 outputs (logits, regression outputs) take a narrow kernel without padding work;
 * - the loss and accuracy reduce four samples per lane (float64 sums).
 * Transcendentals are vectorised single-precision polynomials with about 1 ulp error (Cephes),
 * with series where exp(x) - 1 or 1 - exp(-2x) would cancel, so the results match the tfjs paths
 * within 1e-5 relative. Non-finite values stay non-finite.
 *
 * Memory: one WebAssembly.Memory per prepare(), sized once, dropped by dispose().
 *
 * @example const m = wasmKernelEvaluator.prepare(problem).evaluate(new Float32Array([0.5, -0.25]));
 */
export function createWasmKernelEvaluator(options: WasmKernelOptions = {}): WasmKernelEvaluator {
  return {
    name: "wasm-kernel",
    prepare(problem: SubspaceProblem): WasmKernelPrepared {
      checkProblem(problem);
      checkLayoutMatchesArchitecture(problem);
      const variant = resolveKernelVariant(options.variant ?? "auto");
      const arch = requireMlp(problem.arch, 'evaluator "wasm-kernel"');
      const { origin, directions, split, dataset } = problem;
      const classification = dataset.task === "classification";
      if (problem.loss === "cross-entropy" && !classification) {
        throw new Error(
          "wasm-kernel: cross-entropy needs classification labels, the data are regression targets",
        );
      }
      const k = directions.length;
      const widths = layerWidths(arch);
      const layers = widths.length - 1;
      const n = split.count;
      const np = pad4(n);
      const classes = widths[layers];
      const cp = pad4(classes);
      const offsets = layoutOffsets(mlpLayout(arch));
      const act = ACTIVATION_CODES[arch.activation];
      if (classification) checkLabels("wasm-kernel", split.y, n, classes);
      else if (split.y.length !== n * classes) {
        throw new Error(`data y has ${split.y.length} values, expected count * outputSize = ${n * classes}`);
      }

      // Memory plan (byte offsets relative to the kernel's heap base).
      const plan = new MemoryPlan();
      const coordsAt = plan.floats(k);
      const resultAt = plan.floats(4);
      const labelsAt = classification ? plan.floats(np) : -1;
      const targetsAt = problem.loss === "mse" ? plan.floats(np * cp) : -1;
      const len0 = np * pad4(widths[1]);
      const layer0At = plan.floats((k + 1) * len0);
      const blockLen: number[] = [];
      const blockAt: number[] = [];
      for (let l = 1; l < layers; l++) {
        blockLen[l] = widths[l] * pad4(widths[l + 1]) + pad4(widths[l + 1]);
        blockAt[l] = plan.floats((k + 1) * blockLen[l]);
      }
      const formedAt = plan.floats(Math.max(0, ...blockLen.filter((v) => v !== undefined)));
      const hWidth = Math.max(...widths.slice(1).map(pad4));
      const hAt = [plan.floats(np * hWidth), plan.floats(np * hWidth)]; // adjacent
      const stripAt = plan.floats(4 * pad4(widths[1])); // layer 0's activations of one strip
      // Only prepare() needs the data x and a staging copy of W_0, b_0: in the activation buffers
      // when they fit there.
      const xFloats = pad4(n * widths[0]);
      const stageFloats = widths[0] * widths[1] + widths[1];
      const xAt = xFloats + stageFloats <= 2 * np * hWidth ? hAt[0] : plan.floats(xFloats + stageFloats);
      const stageAt = xAt + xFloats * 4;

      const { kernel, base } = instantiateKernel(variant, plan.bytes);
      const kx = kernel.exports;
      const at = (offset: number) => base + offset;
      let f32 = new Float32Array(kernel.memory.buffer);
      const i32 = new Int32Array(kernel.memory.buffer);
      const fi = (offset: number) => (base + offset) / 4; // float index of a byte offset

      // Data.
      f32.set(split.x.subarray(0, n * widths[0]), fi(xAt));
      if (classification) for (let i = 0; i < n; i++) i32[fi(labelsAt) + i] = split.y[i];
      if (targetsAt >= 0) {
        const t = fi(targetsAt);
        for (let i = 0; i < n; i++) {
          const row = t + (i >> 2) * cp * 4 + (i & 3); // strip layout: [N/4, cp, 4]
          if (classification) f32[row + split.y[i] * 4] = 1;
          else for (let j = 0; j < classes; j++) f32[row + j * 4] = split.y[i * classes + j];
        }
      }

      // Layer 0 products: block 0 from the origin, block k + 1 from direction k.
      const vectors = [origin, ...directions];
      const [inW, h0] = [widths[0], widths[1]];
      vectors.forEach((v, b) => {
        f32.set(v.subarray(offsets[0], offsets[0] + inW * h0), fi(stageAt));
        f32.set(v.subarray(offsets[1], offsets[1] + h0), fi(stageAt) + inW * h0);
        kx.linearF64(
          at(layer0At + b * len0 * 4),
          pad4(h0),
          at(xAt),
          n,
          inW,
          at(stageAt),
          at(stageAt + inW * h0 * 4),
          h0,
        );
      });

      // Kernels of layers >= 1 in packed panel order (8 columns, the last 4 when the padded width
      // is 4 mod 8), each followed by its bias.
      for (let l = 1; l < layers; l++) {
        const [rows, cols] = [widths[l], widths[l + 1]];
        const cols4 = pad4(cols);
        vectors.forEach((v, b) => {
          const dst = fi(blockAt[l]) + b * blockLen[l];
          const kOff = offsets[2 * l];
          for (let j0 = 0; j0 < cols4; j0 += 8) {
            const w = Math.min(8, cols4 - j0);
            for (let r = 0; r < rows; r++) {
              const row = dst + rows * j0 + r * w;
              for (let t = 0; t < w && j0 + t < cols; t++) f32[row + t] = v[kOff + r * cols + j0 + t];
            }
          }
          f32.set(v.subarray(offsets[2 * l + 1], offsets[2 * l + 1] + cols), dst + rows * cols4);
        });
      }

      // Dropped by dispose(), so a disposed evaluation that is still referenced holds no memory.
      let live: { kx: typeof kx; memory: WebAssembly.Memory } | null = { kx, memory: kernel.memory };
      return {
        variant,
        get memoryBytes() {
          return live ? live.memory.buffer.byteLength : 0;
        },
        evaluate(coords: Float32Array) {
          if (!live) throw new Error("wasm-kernel: evaluate() after dispose()");
          const { kx } = live;
          const p = checkCoords(coords, k);
          const loss = new Float32Array(p);
          const accuracy = classification ? new Float32Array(p) : null;
          const c = fi(coordsAt);
          const r = fi(resultAt);
          for (let v = 0; v < p; v++) {
            for (let j = 0; j < k; j++) f32[c + j] = coords[v * k + j];
            // Layer 0 is made strip by strip inside layer 1's GEMM (or directly when it is the last layer).
            let cur = 0;
            if (layers === 1) {
              kx.affine(at(hAt[0]), at(layer0At), at(layer0At + len0 * 4), len0, k, at(coordsAt));
            }
            for (let l = 1; l < layers; l++) {
              kx.affine(
                at(formedAt),
                at(blockAt[l]),
                at(blockAt[l] + blockLen[l] * 4),
                blockLen[l],
                k,
                at(coordsAt),
              );
              const first = l === 1;
              kx.gemm(
                first ? at(stripAt) : at(hAt[cur]),
                pad4(widths[l]),
                at(formedAt),
                at(hAt[first ? 0 : 1 - cur]),
                pad4(widths[l + 1]),
                np,
                widths[l],
                widths[l + 1],
                pad4(widths[l + 1]),
                l === layers - 1 ? LINEAR : act,
                isResidualLayer(arch, l) ? 1 : 0,
                first ? k : 0,
                at(layer0At),
                at(layer0At + len0 * 4),
                len0,
                at(coordsAt),
                act,
              );
              if (!first) cur = 1 - cur;
            }
            const out = at(hAt[cur]);
            if (problem.loss === "mse") {
              kx.meanSquaredError(out, cp, n, classes, at(targetsAt), at(resultAt));
              loss[v] = f32[r];
              if (accuracy) {
                kx.crossEntropy(out, cp, n, classes, at(labelsAt), at(resultAt));
                accuracy[v] = f32[r + 1];
              }
            } else {
              kx.crossEntropy(out, cp, n, classes, at(labelsAt), at(resultAt));
              loss[v] = f32[r];
              if (accuracy) accuracy[v] = f32[r + 1];
            }
          }
          return { loss, accuracy };
        },
        dispose() {
          live = null;
          f32 = new Float32Array(0);
        },
      };
    },
  };
}

/** The wasm-kernel path with the best variant this runtime supports. */
export const wasmKernelEvaluator: WasmKernelEvaluator = createWasmKernelEvaluator();
