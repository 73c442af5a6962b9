/**
 * Where the kernel's training passes keep everything (mlp-train-kernel.ts): one plan of byte
 * offsets, made before the instance exists (instantiateKernel needs the size), then placed at
 * the instance's first free byte.
 *
 * - parameter blocks: the parameters, gradient, two optimizer slots and SAM's perturbed copy
 *   (with optimizer state), the H v direction and H v: each layer's W_l [inW, out4] then
 *   b_l [out4], rows padded to out4 = outW rounded up to a multiple of 4, padding zero;
 * - per layer, chunk buffers [CHUNK, out4]: Z, A, H (residual layers only; else H is A), act'
 *   and act'' (d1, d2), dZ, dH, and their R-op twins; W_l^T and V_l^T [outW, in4];
 * - the splits (x [count, in4]; int32 labels or targets [count, out4]), a gathered batch, its
 *   row indices, the softmax of the last chunk, and two float64 sums.
 * Every region starts 16-byte aligned.
 */
import { isResidualLayer } from "../model/mlp";
import type { MlpArchitecture } from "../model/types";

/** Rows per pass; larger batches and splits are summed chunk by chunk. */
export const CHUNK = 256;

export interface TrainLayer {
  inW: number;
  outW: number;
  in4: number;
  out4: number;
  /** Offsets (floats) of W_l and b_l inside a parameter block. */
  w: number;
  b: number;
  residual: boolean;
  hidden: boolean;
  /** Byte pointers of the chunk buffers [CHUNK, out4] (0 where unused). */
  z: number;
  a: number;
  h: number;
  d1: number;
  d2: number;
  dz: number;
  dh: number;
  rz: number;
  rh: number;
  rdz: number;
  rdh: number;
  /** W_l^T and V_l^T [outW, in4] (layers l >= 1). */
  wt: number;
  vt: number;
}

export interface StoredSplit {
  x: number;
  y: number;
  count: number;
}

export const round4 = (n: number) => Math.ceil(n / 4) * 4;

/** Byte pointers of everything; 0 where a region is absent (no optimizer state, no test split). */
interface TrainMemory {
  params: number;
  grad: number;
  slot1: number;
  slot2: number;
  perturbed: number;
  dir: number;
  hv: number;
  layers: TrainLayer[];
  splits: { train: StoredSplit; test: StoredSplit | null };
  bx: number;
  by: number;
  rows: number;
  probs: number;
  out: number;
}

interface TrainMemoryPlan {
  /** Bytes the plan needs past the instance's static data. */
  bytes: number;
  /** Floats of one padded parameter block. */
  block: number;
  /** The pointers, for an instance whose free memory starts at `base`. */
  place(base: number): TrainMemory;
}

/**
 * @example const plan = planTrainMemory({ arch, widths, yWidth: 1, train: 512, test: null, optimizer: true });
 */
export function planTrainMemory(o: {
  arch: MlpArchitecture;
  /** [in, h0, ..., out] (model/mlp.ts layerWidths). */
  widths: number[];
  /** Floats per stored target row: 1 (an int32 label) or the padded output width. */
  yWidth: number;
  train: number;
  test: number | null;
  /** Optimizer slots and SAM's copy. */
  optimizer: boolean;
}): TrainMemoryPlan {
  const { widths, yWidth } = o;
  const L = widths.length - 1;
  let bytes = 0;
  const alloc = (floats: number) => {
    const at = bytes;
    bytes += round4(Math.max(floats, 0)) * 4;
    return at;
  };
  let floats = 0;
  const plan: Omit<
    TrainLayer,
    "z" | "a" | "h" | "d1" | "d2" | "dz" | "dh" | "rz" | "rh" | "rdz" | "rdh" | "wt" | "vt"
  >[] = [];
  for (let l = 0; l < L; l++) {
    const inW = widths[l];
    const outW = widths[l + 1];
    const in4 = round4(inW);
    const out4 = round4(outW);
    const w = floats;
    floats += inW * out4;
    const b = floats;
    floats += out4;
    plan.push({ inW, outW, in4, out4, w, b, residual: isResidualLayer(o.arch, l), hidden: l < L - 1 });
  }
  const block = round4(floats);
  const rel = {
    params: alloc(block),
    grad: alloc(block),
    slot1: o.optimizer ? alloc(block) : -1,
    slot2: o.optimizer ? alloc(block) : -1,
    perturbed: o.optimizer ? alloc(block) : -1,
    dir: alloc(block),
    hv: alloc(block),
  };
  const layerRel = plan.map((p) => {
    const buf = () => alloc(CHUNK * p.out4);
    return {
      z: buf(),
      a: p.hidden ? buf() : -1,
      h: p.hidden && p.residual ? buf() : -1,
      d1: p.hidden ? buf() : -1,
      d2: p.hidden ? buf() : -1,
      dz: buf(),
      dh: p.hidden ? buf() : -1,
      rz: buf(),
      rh: p.hidden ? buf() : -1,
      rdz: buf(),
      rdh: p.hidden ? buf() : -1,
      wt: alloc(p.outW * p.in4),
      vt: alloc(p.outW * p.in4),
    };
  });
  const splitRel = (count: number) => ({ x: alloc(count * plan[0].in4), y: alloc(count * yWidth), count });
  const trainRel = splitRel(o.train);
  const testRel = o.test === null ? null : splitRel(o.test);
  const bx = alloc(CHUNK * plan[0].in4);
  const by = alloc(CHUNK * yWidth);
  const rows = alloc(CHUNK);
  const probs = alloc(CHUNK * plan[L - 1].out4);
  const out = alloc(4);
  return {
    bytes,
    block,
    place(base) {
      const at = (r: number) => (r < 0 ? 0 : base + r);
      return {
        params: at(rel.params),
        grad: at(rel.grad),
        slot1: at(rel.slot1),
        slot2: at(rel.slot2),
        perturbed: at(rel.perturbed),
        dir: at(rel.dir),
        hv: at(rel.hv),
        layers: plan.map((p, l) => {
          const r = layerRel[l];
          const a = at(r.a);
          return {
            ...p,
            z: at(r.z),
            a,
            h: p.hidden ? (p.residual ? at(r.h) : a) : 0,
            d1: at(r.d1),
            d2: at(r.d2),
            dz: at(r.dz),
            dh: at(r.dh),
            rz: at(r.rz),
            rh: at(r.rh),
            rdz: at(r.rdz),
            rdh: at(r.rdh),
            wt: at(r.wt),
            vt: at(r.vt),
          };
        }),
        splits: {
          train: { x: at(trainRel.x), y: at(trainRel.y), count: trainRel.count },
          test: testRel ? { x: at(testRel.x), y: at(testRel.y), count: testRel.count } : null,
        },
        bx: at(bx),
        by: at(by),
        rows: at(rows),
        probs: at(probs),
        out: at(out),
      };
    },
  };
}
