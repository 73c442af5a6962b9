import { instantiateKernel, type KernelVariant, resolveKernelVariant } from "../kernel/kernel-module";
import { checkLabels, MemoryPlan, pad4 } from "../kernel/memory-plan";
import type { LayersArchitecture } from "../model/layers";
import { layoutOffsets } from "../model/layout";
import { tf } from "../tf";
import { cnnPlan, cnnPlanRefusal, type LinearStep } from "./cnn-plan";
import {
  checkCoords,
  checkProblem,
  type LandscapeEvaluator,
  type PreparedEvaluation,
  type SubspaceProblem,
} from "./evaluator";
import { checkLayout, requireLayers, runStep } from "./tfjs-cnn-evaluator";
import {
  blockBias,
  blockBox,
  blockRows,
  blockShape,
  planBlockMemory,
  pointBlocks,
  stackRecord,
  stackU,
} from "./wasm-cnn-blocks";
import { cnnProgram, relocate } from "./wasm-cnn-program";

const WASM_CNN_EVALUATOR_NAME = "wasm-cnn";

interface WasmCnnOptions {
  /** "auto" (default): relaxed SIMD where the runtime has it, else plain SIMD. */
  variant?: KernelVariant | "auto";
  /**
   * Floats the first layer's outputs S_0..S_K may take in kernel memory (default 16 Mi, 64 MB:
   * the digits CNN's 2,000 samples take 9.4 Mi). When every sample's fit, they are computed once
   * in prepare(); otherwise samples go in chunks whose S are computed again at each evaluate().
   */
  budget?: number;
  /**
   * Bytes of S one cache block of samples may take: every point of a call runs on it before the
   * next. Default 2 MiB point by point (1 and 4 MiB measured slower here); 768 KiB in block mode,
   * where S is read once per block and each point reads the block's maps instead (these, about
   * 1.5 times S's bytes, then stay in a 1 MiB L2 cache: 4% faster than 2 MiB, while below 512 KiB
   * the per-call costs of each point grow).
   */
  cacheBytes?: number;
  /**
   * Block mode (src/core/kernel/cnn-block.as) for blocks of nearby grid points, where the model's
   * shape allows it: on (default) or off; `side` (default 6) and `minPoints` (default 12) shape
   * the blocks (pointBlocks in wasm-cnn-blocks.ts).
   */
  blocks?: boolean | { side?: number; minPoints?: number };
}

/** The default cache block of samples point by point and in block mode (see `cacheBytes`). */
const CACHE_BYTES = 1 << 21;
const BLOCK_CACHE_BYTES = 3 << 18;

/** Samples per tfjs call when computing S (bounds the tensors it holds). */
const S_SAMPLES = 256;

/** A prepared wasm-cnn evaluation: which variant runs, how its convs run, the memory it holds. */
interface WasmCnnPrepared extends PreparedEvaluation {
  readonly variant: KernelVariant;
  readonly convs: readonly ("winograd" | "direct")[];
  readonly memoryBytes: number;
  /** Whether the model's shape runs in block mode (cnn-block.as), and the points that have so far. */
  readonly blockMode: boolean;
  readonly blockPoints: number;
}

interface WasmCnnEvaluator extends LandscapeEvaluator {
  prepare(problem: SubspaceProblem): WasmCnnPrepared;
}

/**
 * Why wasm-cnn cannot run a layers model, or null: what cnnPlanRefusal says (then "naive" runs
 * it), or a model without any Dense or Conv2D layer (nothing to combine; "tfjs-cnn-batched" runs it).
 *
 * @example wasmCnnRefusal(digitsCnn) // null
 */
export function wasmCnnRefusal(arch: LayersArchitecture): string | null {
  const refusal = cnnPlanRefusal(arch);
  if (refusal) return refusal;
  if (!arch.layers.some((l) => l.type === "dense" || l.type === "conv2d"))
    return "it has no Dense or Conv2D layer";
  return null;
}

/**
 * The tuned CPU path for layers models (the config's CNNs, imported tfjs LayersModels): the
 * first layer by linearity as in "tfjs-cnn-batched" (its outputs S_0 = L(X; theta) and
 * S_k = L(X; d_k) computed once by tfjs, each point's first-layer output S_0 + sum_k c_k S_k),
 * every later layer in the WebAssembly SIMD kernel (src/core/kernel/cnn-kernel.as):
 * - four samples per f32x4, so every op is its scalar formula on vectors, for any shape, and a
 *   group's activations stay in L1 from the first layer to the logits (no tfjs op per layer, no
 *   tensor per point);
 * - 3x3 stride-1 convs by Winograd's F(2x2, 3x3) (2.25x fewer multiply-adds; the transforms
 *   only add and halve), other convs directly; pools, BatchNorm (evaluation mode), Dense layers
 *   and activations as in the plan (cnn-plan.ts, with its two exact rewrites);
 * - samples in cache blocks (S of a block within `cacheBytes`): every point of a call runs on a
 *   block before the next, so S is read from memory once per call, not once per point;
 * - BLOCK MODE where the model's shape allows it (a 2x2-pooled first layer, then a 3x3 conv with
 *   its 2x2 pool; wasm-cnn-blocks.ts, kernel cnn-block.as): a call's points are grouped into
 *   blocks of nearby grid points, and over a block the second conv's output is a quadratic in
 *   the point (nine convolutions for a call's first block, then updates where the first layer's
 *   winners change from block to block, instead of a conv per point) plus per-sample corrections
 *   where the first layer's max-pool or relu choice is not certified constant over the block;
 * - loss and accuracy by the MLP kernel's reductions (float64 sums), blocks added in float64.
 * Same numbers as "naive" within 1e-5 (tests/unit/cnn-fast-evaluator.test.ts).
 *
 * Memory: one WebAssembly.Memory per prepare(): S (at most `budget` floats), a point's
 * parameters, the program's scratch; dropped by dispose().
 *
 * @example const m = wasmCnnEvaluator.prepare(problem).evaluate(new Float32Array([0.5, -0.25]));
 */
export function createWasmCnnEvaluator(options: WasmCnnOptions = {}): WasmCnnEvaluator {
  const budget = options.budget ?? 1 << 24;
  for (const [name, v] of [
    ["budget", budget],
    ["cacheBytes", options.cacheBytes ?? 1],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new Error(`${WASM_CNN_EVALUATOR_NAME}: ${name} must be a positive integer, got ${v}`);
    }
  }
  return {
    name: WASM_CNN_EVALUATOR_NAME,
    prepare(problem: SubspaceProblem): WasmCnnPrepared {
      checkProblem(problem);
      const arch = requireLayers(problem.arch, WASM_CNN_EVALUATOR_NAME);
      checkLayout(problem, arch, WASM_CNN_EVALUATOR_NAME);
      const refusal = cnnPlanRefusal(arch);
      if (refusal) {
        throw new Error(
          `evaluator "${WASM_CNN_EVALUATOR_NAME}" cannot run this model: ${refusal}; use the "naive" evaluator (the default for it)`,
        );
      }
      const variant = resolveKernelVariant(options.variant ?? "auto");
      const plan = cnnPlan(arch);
      const first = plan.first as LinearStep | null;
      if (!first) {
        throw new Error(
          `${WASM_CNN_EVALUATOR_NAME}: the model has no Dense or Conv2D layer; use "tfjs-cnn-batched"`,
        );
      }
      const { layout, origin, directions, split, dataset } = problem;
      const classification = dataset.task === "classification";
      if (problem.loss === "cross-entropy" && !classification) {
        throw new Error(
          `${WASM_CNN_EVALUATOR_NAME}: cross-entropy needs classification labels, the data are regression targets`,
        );
      }
      const k = directions.length;
      const n = split.count;
      const n4 = pad4(n);
      const outSize = plan.outputSize;
      const m1 = plan.firstSize;
      const offsets = layoutOffsets(layout);
      const total = offsets[offsets.length - 1];
      const p4 = pad4(total);
      if (classification) checkLabels(WASM_CNN_EVALUATOR_NAME, split.y, n, outSize);
      else if (split.y.length !== n * outSize) {
        throw new Error(`data y has ${split.y.length} values, expected count * outputSize = ${n * outSize}`);
      }

      // Samples in chunks whose S fit the budget (one chunk: S computed here, once).
      const perSample = (k + 1) * m1;
      const chunkSamples = Math.min(n4, Math.max(4, Math.floor(budget / perSample) & ~3));
      const chunkGroups = chunkSamples / 4;

      // Memory plan (byte offsets relative to the kernel's heap base).
      const mem = new MemoryPlan();
      const program = cnnProgram(plan, arch, offsets, mem);
      const blockOptions = typeof options.blocks === "object" ? options.blocks : {};
      const shape = options.blocks === false ? null : blockShape(program.ops, k);
      const cacheBytes = options.cacheBytes ?? (shape ? BLOCK_CACHE_BYTES : CACHE_BYTES);
      const blockSamples = Math.min(chunkSamples, Math.max(4, Math.floor(cacheBytes / (perSample * 4)) & ~3));
      const nops = program.ops.length;
      const progAt = mem.floats(nops * 16);
      const coordsAt = mem.floats(k);
      const resultAt = mem.floats(4);
      const paramsAt = mem.floats(p4);
      const originAt = mem.floats(p4);
      const dirsAt = mem.floats(k * p4);
      // Each Winograd conv's U for theta and the directions (U is linear in the kernel).
      const uVectorsAt = program.winograd.map((w) => mem.floats((k + 1) * w.floats));
      const bufAt = [0, 1].map(() => mem.floats((blockSamples / 4) * program.widest * 4));
      const logitsAt = mem.floats((blockSamples / 4) * outSize * 4);
      const labelsAt = classification ? mem.floats(n4) : -1;
      const targetsAt = problem.loss === "mse" ? mem.floats(n4 * outSize) : -1;
      const sAt = mem.floats((k + 1) * chunkSamples * m1);
      const blockMem = shape ? planBlockMemory(shape, blockSamples / 4, mem) : null;
      const stagingAt = mem.floats(Math.min(S_SAMPLES, chunkSamples) * m1);

      const { kernel, base } = instantiateKernel(variant, mem.bytes);
      const at = (offset: number) => base + offset;
      const fi = (offset: number) => (base + offset) / 4;
      let f32 = new Float32Array(kernel.memory.buffer);
      const i32 = new Int32Array(kernel.memory.buffer);
      const records = relocate(program, base);
      i32.set(records, fi(progAt));
      if (blockMem) {
        i32.set(
          stackRecord(records.subarray(16, 32), at(blockMem.stackU), at(blockMem.stackM)),
          fi(blockMem.stackOp),
        );
      }
      for (const t of program.tables) {
        f32.set(t.mean, fi(t.meanAt));
        f32.set(t.variance, fi(t.varianceAt));
      }
      f32.set(origin, fi(originAt));
      directions.forEach((d, j) => {
        f32.set(d, fi(dirsAt) + j * p4);
      });
      [origin, ...directions].forEach((v, j) => {
        f32.set(v, fi(paramsAt));
        kernel.exports.preparePoint(at(progAt), nops, at(paramsAt), 1);
        program.winograd.forEach((w, i) => {
          f32.copyWithin(fi(uVectorsAt[i]) + j * w.floats, fi(w.u), fi(w.u) + w.floats);
        });
      });
      if (shape && blockMem) {
        // Block mode's stacked kernel [U0 | U1 | U2] (theta's and the directions' U of the second
        // conv) and its bias parts: the same for every block.
        const w0 = program.winograd[0];
        const u = (j: number) =>
          f32.subarray(fi(uVectorsAt[0]) + j * w0.floats, fi(uVectorsAt[0]) + (j + 1) * w0.floats);
        stackU(
          f32.subarray(fi(blockMem.stackU), fi(blockMem.stackU) + 3 * w0.floats),
          [u(0), u(1), u(2)],
          shape.ci,
          shape.co,
        );
        blockBias(
          f32.subarray(fi(blockMem.bias), fi(blockMem.bias) + 3 * shape.co),
          shape,
          origin,
          directions,
        );
      }
      if (classification) for (let i = 0; i < n; i++) i32[fi(labelsAt) + i] = split.y[i];
      if (targetsAt >= 0) {
        const t = fi(targetsAt);
        for (let i = 0; i < n; i++) {
          const row = t + (i >> 2) * outSize * 4 + (i & 3); // groups of four: [N/4, outSize, 4]
          if (classification) f32[row + split.y[i] * 4] = 1;
          else for (let j = 0; j < outSize; j++) f32[row + j * 4] = split.y[i * outSize + j];
        }
      }

      const inputSize = dataset.inputSize;
      const vectors = [origin, ...directions];
      const slice = (v: Float32Array, i: number | null) =>
        i === null ? undefined : tf.tensor(v.slice(offsets[i], offsets[i + 1]), layout[i].shape, "float32");
      /** S_0..S_K of the samples [start, start + count) of a chunk into kernel memory, groups of four. */
      const computeS = (start: number, count: number) => {
        for (let s0 = 0; s0 < count; s0 += S_SAMPLES) {
          const c = Math.min(S_SAMPLES, count - s0);
          const from = start + s0;
          const real = Math.max(0, Math.min(c, n - from)); // samples past n are zero padding
          vectors.forEach((v, j) => {
            const dst = at(sAt + (j * chunkGroups + s0 / 4) * m1 * 16);
            if (real === 0) {
              f32.fill(0, dst / 4, dst / 4 + pad4(c) * m1);
              return;
            }
            const values = tf.tidy(() => {
              let x: tf.Tensor = tf.tensor(split.x.subarray(from * inputSize, (from + real) * inputSize), [
                real,
                ...arch.inputShape,
              ]);
              for (const step of plan.prefix) x = runStep(step, x);
              return runStep(first, x, slice(v, first.kernel), slice(v, first.bias));
            });
            try {
              f32.set(values.dataSync() as Float32Array, fi(stagingAt));
            } finally {
              values.dispose();
            }
            kernel.exports.toGroups(dst, at(stagingAt), real, m1);
            if (pad4(c) > pad4(real)) f32.fill(0, dst / 4 + pad4(real) * m1, dst / 4 + pad4(c) * m1);
          });
        }
      };
      const chunks = Math.ceil(n4 / chunkSamples);
      if (chunks === 1) computeS(0, n4);

      let live: { memory: WebAssembly.Memory } | null = { memory: kernel.memory };
      let blockPoints = 0;
      const kx = kernel.exports;
      return {
        variant,
        convs: program.convs,
        get memoryBytes() {
          return live ? live.memory.buffer.byteLength : 0;
        },
        blockMode: shape !== null,
        get blockPoints() {
          return blockPoints;
        },
        evaluate(coords: Float32Array) {
          if (!live) throw new Error(`${WASM_CNN_EVALUATOR_NAME}: evaluate() after dispose()`);
          const p = checkCoords(coords, k);
          const lossSum = new Float64Array(p);
          const correct = classification ? new Float64Array(p) : null;
          const c = fi(coordsAt);
          const r = fi(resultAt);
          const grouped =
            shape && blockMem
              ? pointBlocks(coords, blockOptions.side ?? 6, blockOptions.minPoints ?? 12)
              : { blocks: [], single: Array.from({ length: p }, (_, i) => i) };
          /**
           * A point's parameters (and each Winograd conv's U, each BatchNorm's scale) into kernel
           * memory; in block mode not the second conv's U (block mode uses its kernel).
           */
          const setPoint = (v: number, inBlock = false) => {
            for (let j = 0; j < k; j++) f32[c + j] = coords[v * k + j];
            kx.affine(at(paramsAt), at(originAt), at(dirsAt), p4, k, at(coordsAt));
            program.winograd.forEach((w, i) => {
              if (inBlock && i === 0) return;
              const from = at(uVectorsAt[i]);
              kx.affine(at(w.u), from, from + w.floats * 4, w.floats, k, at(coordsAt));
            });
            kx.preparePoint(at(progAt), nops, at(paramsAt), 0);
          };
          for (const block of grouped.blocks) blockPoints += block.length;
          for (let chunkStart = 0; chunkStart < n4; chunkStart += chunkSamples) {
            const chunkCount = Math.min(chunkSamples, n4 - chunkStart);
            if (chunks > 1) computeS(chunkStart, chunkCount);
            for (let b = 0; b < chunkCount; b += blockSamples) {
              const start = chunkStart + b; // a multiple of 4
              const count = Math.min(blockSamples, chunkCount - b, n - start);
              if (count <= 0) break;
              const groups = (count + 3) >> 2;
              const sBlock = at(sAt + (b / 4) * m1 * 16);
              const sk = chunkGroups * m1 * 16;
              /** Loss (and, for classification, accuracy: crossEntropy's second result) of the block's logits for point v. */
              const accumulate = (v: number) => {
                const crossEntropy = () =>
                  kx.crossEntropy(
                    at(logitsAt),
                    outSize,
                    count,
                    outSize,
                    at(labelsAt + start * 4),
                    at(resultAt),
                  );
                if (problem.loss === "mse") {
                  const targets = at(targetsAt + (start / 4) * outSize * 16);
                  kx.meanSquaredError(at(logitsAt), outSize, count, outSize, targets, at(resultAt));
                  lossSum[v] += f32[r] * count;
                  if (correct) crossEntropy();
                } else {
                  crossEntropy();
                  lossSum[v] += f32[r] * count;
                }
                if (correct) correct[v] += Math.round(f32[r + 1] * count);
              };
              if (shape && blockMem) {
                const bm = blockMem;
                for (const block of grouped.blocks) {
                  const [xc, yc, hx, hy] = blockBox(coords, block);
                  f32.set([xc, yc, hx, hy], fi(bm.box));
                  const kernelAt = shape.kernelOff * 4;
                  kx.blockPrepare(
                    at(progAt),
                    at(bm.stackOp),
                    groups,
                    sBlock,
                    sk,
                    m1,
                    at(bm.box),
                    at(bm.bias),
                    at(originAt) + kernelAt,
                    at(dirsAt) + kernelAt,
                    at(dirsAt) + p4 * 4 + kernelAt,
                    // The maps from scratch for the first block on these samples; then updated.
                    block === grouped.blocks[0] ? 1 : 0,
                    at(bm.zmaps),
                    bm.zStride,
                    at(bm.outs),
                    at(bm.kmaps),
                    bm.kStride,
                    at(bm.lists),
                    bm.listStride,
                    at(bm.counts),
                  );
                  const point = fi(bm.point);
                  /** Point v's [x, y] into block memory. */
                  const setBlockPoint = (v: number) => {
                    f32[point] = coords[2 * v];
                    f32[point + 1] = coords[2 * v + 1];
                  };
                  for (const row of blockRows(coords, block)) {
                    setBlockPoint(row[0]);
                    kx.blockRow(
                      at(progAt),
                      groups,
                      at(bm.point),
                      coords[2 * row[0]],
                      coords[2 * row[row.length - 1]],
                      at(bm.kmaps),
                      bm.kStride,
                      at(bm.lmaps),
                      bm.lStride,
                      at(bm.lists),
                      bm.listStride,
                      at(bm.counts),
                      at(bm.rows),
                      bm.rowStride,
                      at(bm.rowCounts),
                    );
                    for (const v of row) {
                      setPoint(v, true);
                      setBlockPoint(v);
                      kx.blockPoint(
                        at(progAt),
                        nops,
                        groups,
                        at(bm.point),
                        at(paramsAt),
                        at(bm.lmaps),
                        bm.lStride,
                        at(bm.rows),
                        bm.rowStride,
                        at(bm.rowCounts),
                        at(bm.out),
                        at(bm.deltas),
                        at(bufAt[0]),
                        at(bufAt[1]),
                        program.widest,
                        at(logitsAt),
                        outSize,
                      );
                      accumulate(v);
                    }
                  }
                }
              }
              for (const v of grouped.single) {
                setPoint(v);
                kx.forward(
                  at(progAt),
                  nops,
                  groups,
                  sBlock,
                  sk,
                  m1,
                  k,
                  at(coordsAt),
                  at(paramsAt),
                  at(bufAt[0]),
                  at(bufAt[1]),
                  program.widest,
                  at(logitsAt),
                  outSize,
                );
                accumulate(v);
              }
            }
          }
          return {
            loss: Float32Array.from(lossSum, (x) => x / n),
            accuracy: correct ? Float32Array.from(correct, (x) => x / n) : null,
          };
        },
        dispose() {
          live = null;
          f32 = new Float32Array(0);
        },
      };
    },
  };
}

/** The default instance, the default path for layers models where the runtime has WebAssembly SIMD. */
export const wasmCnnEvaluator: WasmCnnEvaluator = createWasmCnnEvaluator();
