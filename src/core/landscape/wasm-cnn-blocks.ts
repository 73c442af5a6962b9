/**
 * The block mode of the wasm-cnn path (kernel: src/core/kernel/cnn-block.as, which says why it is
 * exact): which programs it runs, how a call's points are grouped into blocks of nearby grid
 * points, and the scratch it needs. Pure and tfjs-free.
 *
 * @example const { blocks, single } = pointBlocks(coords, 7, 12); // blocks of up to 7x7 points
 */
import { ACTIVATION_CODES } from "../kernel/kernel-module";
import type { MemoryPlan } from "../kernel/memory-plan";
import { OP, RECORD } from "./wasm-cnn-program";

/** The shapes block mode reads off the first two ops. */
export interface BlockShape {
  /** Values per sample of the second conv's input (the pooled first layer). */
  m0: number;
  /** The second conv's output positions (oh ow, before its pool) and channels. */
  positions: number;
  co: number;
  ci: number;
  /** Offset of the second conv's bias in a parameter vector, or -1. */
  biasOff: number;
  /** Offset of the second conv's kernel in a parameter vector. */
  kernelOff: number;
}

/**
 * The block shape when a program can run in block mode, else null: two directions; op 0 the first
 * layer's combination with a 2x2, stride-2 max-pool that clips no window (relu fused or no
 * activation); op 1 a Winograd conv with its 2x2 pool fused and a multiple of 4 output channels.
 */
export function blockShape(ops: readonly Int32Array[], k: number): BlockShape | null {
  if (k !== 2 || ops.length < 2) return null;
  const [first, conv] = ops;
  const [code, h, w, c, ph, pw, sh, sw, top, left, oh, ow, act] = first;
  if (code !== OP.combinePool || ph !== 2 || pw !== 2 || sh !== 2 || sw !== 2 || top !== 0 || left !== 0)
    return null;
  if (oh * 2 > h || ow * 2 > w || (act !== 0 && act !== ACTIVATION_CODES.relu)) return null;
  if (conv[0] !== OP.winograd || conv[15] !== 1 || conv[8] % 4 !== 0 || conv[3] !== c) return null;
  return {
    m0: oh * ow * c,
    positions: conv[6] * conv[7],
    co: conv[8],
    ci: c,
    biasOff: conv[10],
    kernelOff: conv[9],
  };
}

/** Byte offsets (relative to the heap base) of block mode's scratch, for `groups` groups per call. */
export interface BlockMemory {
  stackOp: number;
  stackU: number;
  stackM: number;
  box: number;
  point: number;
  bias: number;
  /** The stacked convs' outputs (three of positions x 3 co vectors). */
  outs: number;
  /** Per group: the second conv's input maps Z, B, C of the current winners (3 m0 vectors). */
  zmaps: number;
  zStride: number;
  kmaps: number;
  kStride: number;
  lmaps: number;
  lStride: number;
  lists: number;
  listStride: number;
  counts: number;
  /** A row's entries (blockRow: 176 bytes each) and their count, per group. */
  rows: number;
  rowStride: number;
  rowCounts: number;
  out: number;
  /** A point's deltas, a vector per row entry, then the entries' indices (an i32 each). */
  deltas: number;
}

export function planBlockMemory(shape: BlockShape, groups: number, memory: MemoryPlan): BlockMemory {
  const { m0, positions, co, ci } = shape;
  const kStride = 6 * 4 * positions * co * 4;
  const lStride = 3 * 4 * positions * co * 4;
  const listStride = m0 * 256;
  const zStride = 3 * m0 * 16;
  const rowStride = m0 * 176;
  return {
    stackOp: memory.floats(RECORD),
    stackU: memory.floats(16 * ci * 3 * co),
    stackM: memory.floats(2 * 16 * 3 * co * 4),
    box: memory.floats(4),
    point: memory.floats(4),
    bias: memory.floats(3 * co),
    outs: memory.floats(3 * positions * 3 * co * 4),
    zmaps: memory.floats((groups * zStride) / 4),
    zStride,
    kmaps: memory.floats((groups * kStride) / 4),
    kStride,
    lmaps: memory.floats((groups * lStride) / 4),
    lStride,
    lists: memory.floats((groups * listStride) / 4),
    listStride,
    counts: memory.floats(groups),
    rows: memory.floats((groups * rowStride) / 4),
    rowStride,
    rowCounts: memory.floats(groups),
    out: memory.floats(4 * positions * co),
    deltas: memory.floats(5 * m0),
  };
}

/**
 * The stacked Winograd op: the second conv's record (already relocated) with 3 co outputs (the
 * kernels [Wc | W1 | W2]), no bias, no activation, no pool, its own U and M scratch (absolute
 * byte pointers), the same padded-input scratch.
 */
export function stackRecord(conv: Int32Array, stackU: number, stackM: number): Int32Array {
  const r = Int32Array.from(conv);
  r[8] = conv[8] * 3;
  r[10] = -1;
  r[11] = ACTIVATION_CODES.linear;
  r[12] = stackU;
  r[14] = stackM;
  r[15] = 0;
  return r;
}

/**
 * U stacked along the output channels: [16, ci, 3 co] from U0, U1, U2 (each [16, ci, co]).
 */
export function stackU(dst: Float32Array, parts: readonly Float32Array[], ci: number, co: number): void {
  for (let xi = 0; xi < 16; xi++) {
    for (let c = 0; c < ci; c++) {
      const from = (xi * ci + c) * co;
      const to = (xi * ci + c) * 3 * co;
      parts.forEach((u, j) => {
        dst.set(u.subarray(from, from + co), to + j * co);
      });
    }
  }
}

/** Points of a call grouped for block mode: `blocks` of point indices, and the points run one by one. */
export interface PointBlocks {
  blocks: number[][];
  single: number[];
}

/**
 * Groups points [P, 2] into blocks of nearby grid points: each point's column and row among the
 * call's distinct x and y values, blocks of about min(side, the call's rows) rows and side^2
 * points (at most 3 side columns), rows and columns divided evenly, so a tile of two grid rows
 * still gets blocks of about side^2 points. Blocks under `minPoints` points run one point at a time.
 */
export function pointBlocks(coords: Float32Array, side: number, minPoints: number): PointBlocks {
  const p = coords.length / 2;
  const index = (axis: 0 | 1) => {
    const values = [...new Set(Array.from({ length: p }, (_, i) => coords[2 * i + axis]))].sort(
      (a, b) => a - b,
    );
    const at = new Map(values.map((v, i) => [v, i]));
    return { count: values.length, of: (i: number) => at.get(coords[2 * i + axis]) as number };
  };
  const xs = index(0);
  const ys = index(1);
  // About `side` rows per block, the call's rows divided evenly; then about side^2 points per
  // block (at most 3 side columns), the columns divided evenly too.
  const down = Math.max(1, Math.round(ys.count / Math.min(side, ys.count)));
  const rows = Math.ceil(ys.count / down);
  const target = Math.min(3 * side, Math.ceil((side * side) / rows));
  const across = Math.max(1, Math.ceil(xs.count / (3 * side)), Math.round(xs.count / target));
  const cols = Math.ceil(xs.count / across);
  const byKey = new Map<number, number[]>();
  for (let i = 0; i < p; i++) {
    const key = Math.floor(ys.of(i) / rows) * across + Math.floor(xs.of(i) / cols);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  }
  // Blocks in snake order (left to right, then right to left on the next row of blocks...), so
  // that each block is next to the one before it: block mode updates the maps where the winners
  // changed from one block to the next.
  const snake = (key: number) => {
    const row = Math.floor(key / across);
    const col = key % across;
    return row * across + (row % 2 ? across - 1 - col : col);
  };
  const blocks: number[][] = [];
  const single: number[] = [];
  for (const key of [...byKey.keys()].sort((a, b) => snake(a) - snake(b))) {
    const list = byKey.get(key) as number[];
    if (list.length >= minPoints) blocks.push(list);
    else single.push(...list);
  }
  return { blocks, single };
}

/**
 * A block's rows: its points grouped by y (rows in increasing y), each row in increasing x
 * (block mode works row by row: blockRow lists the entries a row needs checked).
 *
 * @example blockRows(coords, [0, 1, 2]) // [[0, 1], [2]] when points 0 and 1 share a y
 */
export function blockRows(coords: Float32Array, block: readonly number[]): number[][] {
  const byY = new Map<number, number[]>();
  for (const v of block) {
    const y = coords[2 * v + 1];
    const row = byY.get(y);
    if (row) row.push(v);
    else byY.set(y, [v]);
  }
  return [...byY.keys()]
    .sort((a, b) => a - b)
    .map((y) => (byY.get(y) as number[]).sort((a, b) => coords[2 * a] - coords[2 * b]));
}

/** A block's box: its centre (xc, yc, float32) and half-widths (hx, hy) that cover its points. */
export function blockBox(coords: Float32Array, block: readonly number[]): [number, number, number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const v of block) {
    x0 = Math.min(x0, coords[2 * v]);
    x1 = Math.max(x1, coords[2 * v]);
    y0 = Math.min(y0, coords[2 * v + 1]);
    y1 = Math.max(y1, coords[2 * v + 1]);
  }
  const xc = Math.fround((x0 + x1) / 2);
  const yc = Math.fround((y0 + y1) / 2);
  return [xc, yc, Math.max(x1 - xc, xc - x0), Math.max(y1 - yc, yc - y0)];
}

/**
 * The second conv's bias in theta and the directions' parts, [3, co] (zeros without a bias): the
 * quadratic's constant and linear terms take them.
 */
export function blockBias(
  dst: Float32Array,
  shape: BlockShape,
  origin: Float32Array,
  directions: readonly Float32Array[],
): void {
  const { co, biasOff } = shape;
  for (let o = 0; o < co; o++) {
    const i = biasOff + o;
    const has = biasOff >= 0;
    dst[o] = has ? origin[i] : 0;
    dst[co + o] = has ? directions[0][i] : 0;
    dst[2 * co + o] = has ? directions[1][i] : 0;
  }
}
