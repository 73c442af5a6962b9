// AssemblyScript source of the kernel's training and curvature pieces: the dense products of a
// mini-batch's forward and backward passes (and of their R-op, for Hessian-vector products), the
// activations' first and second derivatives, the loss heads with their gradients, and the
// optimizers' updates. Compiled with mlp-kernel.as into one module (build.mjs); the host side
// that strings them into passes is mlp-train-kernel.ts.
//
// Layout: everything is float32 in ROW-MAJOR rows padded to a multiple of 4 floats (w4 >= w),
// the padding kept at zero, so that a row's columns are whole f32x4 vectors. Counts of vectors
// (`count`) are floats / 4. Pointers are byte offsets into the instance's memory.
//
// Rounding: the optimizers and the elementwise steps use separate multiplies and adds (never a
// fused multiply-add), in the order tfjs computes them, so that a step rounds as tfjs's does;
// only the products of mm() use mad(), which fuses in the relaxed-SIMD build.

import { activateRange, ELU, K, LEAKY_RELU, LINEAR, mad, RELU, SIGMOID, SOFTPLUS, sigmoid4, TANH } from "./mlp-kernel";

/**
 * C[r, 0:n4] = init + sum_{k < kdim} L(r, k) B[k, 0:n4] for r < rows, where L(r, k) is the float
 * at l + (r rs + k cs) * 4 and init is C itself (accumulate != 0), the bias row (bias != 0) or 0.
 * B has rows of ldb floats, C rows of ldc floats; n4 is a multiple of 4.
 *
 * With (rs, cs) = (lda, 1), L is a row-major A: C = A B (+ bias), the forward products and the
 * backward dH = dZ W^T (through a transposed copy of W). With (rs, cs) = (1, lda), L is A^T:
 * C += A^T B, the weight gradients dW = H^T dZ. Two rows of C and four vectors of columns at a
 * time: 8 accumulators, 4 loads of B and 2 broadcasts per k step (a 4 x 8 tile measured slower
 * here); the columns past the last multiple of 16 (narrow layers) take eight rows at a time.
 */
export function mm(
  l: usize,
  rs: i32,
  cs: i32,
  rows: i32,
  kdim: i32,
  b: usize,
  ldb: i32,
  n4: i32,
  c: usize,
  ldc: i32,
  bias: usize,
  accumulate: i32,
): void {
  const rsb = (<usize>rs) << 2;
  const csb = (<usize>cs) << 2;
  const ldbb = (<usize>ldb) << 2;
  const ldcb = (<usize>ldc) << 2;
  const zero = f32x4.splat(0.0);
  // Columns in blocks of 16 (four vectors), two rows at a time, then the last row.
  const n16 = n4 & ~15;
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const l0 = l + <usize>r * rsb;
    const l1 = l0 + rsb;
    const c0 = c + <usize>r * ldcb;
    const c1 = c0 + ldcb;
    for (let j = 0; j < n16; j += 16) {
      const jb = (<usize>j) << 2;
      let a00 = zero, a01 = zero, a02 = zero, a03 = zero;
      let a10 = zero, a11 = zero, a12 = zero, a13 = zero;
      if (accumulate) {
        a00 = v128.load(c0 + jb); a01 = v128.load(c0 + jb, 16); a02 = v128.load(c0 + jb, 32); a03 = v128.load(c0 + jb, 48);
        a10 = v128.load(c1 + jb); a11 = v128.load(c1 + jb, 16); a12 = v128.load(c1 + jb, 32); a13 = v128.load(c1 + jb, 48);
      } else if (bias) {
        a00 = v128.load(bias + jb); a01 = v128.load(bias + jb, 16); a02 = v128.load(bias + jb, 32); a03 = v128.load(bias + jb, 48);
        a10 = a00; a11 = a01; a12 = a02; a13 = a03;
      }
      let p0 = l0, p1 = l1, q = b + jb;
      for (let k = 0; k < kdim; k++) {
        const x0 = v128.load32_splat(p0);
        const x1 = v128.load32_splat(p1);
        const b0 = v128.load(q);
        const b1 = v128.load(q, 16);
        const b2 = v128.load(q, 32);
        const b3 = v128.load(q, 48);
        a00 = mad(x0, b0, a00); a01 = mad(x0, b1, a01); a02 = mad(x0, b2, a02); a03 = mad(x0, b3, a03);
        a10 = mad(x1, b0, a10); a11 = mad(x1, b1, a11); a12 = mad(x1, b2, a12); a13 = mad(x1, b3, a13);
        p0 += csb; p1 += csb; q += ldbb;
      }
      v128.store(c0 + jb, a00); v128.store(c0 + jb, a01, 16); v128.store(c0 + jb, a02, 32); v128.store(c0 + jb, a03, 48);
      v128.store(c1 + jb, a10); v128.store(c1 + jb, a11, 16); v128.store(c1 + jb, a12, 32); v128.store(c1 + jb, a13, 48);
    }
  }
  if (r < rows) {
    const l0 = l + <usize>r * rsb;
    const c0 = c + <usize>r * ldcb;
    for (let j = 0; j < n16; j += 4) mmColumn(l0, csb, kdim, b + ((<usize>j) << 2), ldbb, c0 + ((<usize>j) << 2), bias ? bias + ((<usize>j) << 2) : 0, accumulate);
  }
  // The columns left (fewer than 16, e.g. a narrow output layer), one vector at a time over eight
  // rows at once: eight independent accumulators keep the multiply-add pipeline full.
  for (let j = n16; j < n4; j += 4) {
    const jb = (<usize>j) << 2;
    const bj = b + jb;
    const biasj = bias ? bias + jb : 0;
    let i = 0;
    for (; i + 8 <= rows; i += 8) {
      const p = l + <usize>i * rsb;
      const cp = c + <usize>i * ldcb + jb;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
      if (accumulate) {
        a0 = v128.load(cp); a1 = v128.load(cp + ldcb); a2 = v128.load(cp + 2 * ldcb); a3 = v128.load(cp + 3 * ldcb);
        a4 = v128.load(cp + 4 * ldcb); a5 = v128.load(cp + 5 * ldcb); a6 = v128.load(cp + 6 * ldcb); a7 = v128.load(cp + 7 * ldcb);
      } else if (biasj) {
        a0 = v128.load(biasj); a1 = a0; a2 = a0; a3 = a0; a4 = a0; a5 = a0; a6 = a0; a7 = a0;
      }
      let pk = p, q = bj;
      for (let k = 0; k < kdim; k++) {
        const bv = v128.load(q);
        a0 = mad(v128.load32_splat(pk), bv, a0);
        a1 = mad(v128.load32_splat(pk + rsb), bv, a1);
        a2 = mad(v128.load32_splat(pk + 2 * rsb), bv, a2);
        a3 = mad(v128.load32_splat(pk + 3 * rsb), bv, a3);
        a4 = mad(v128.load32_splat(pk + 4 * rsb), bv, a4);
        a5 = mad(v128.load32_splat(pk + 5 * rsb), bv, a5);
        a6 = mad(v128.load32_splat(pk + 6 * rsb), bv, a6);
        a7 = mad(v128.load32_splat(pk + 7 * rsb), bv, a7);
        pk += csb; q += ldbb;
      }
      v128.store(cp, a0); v128.store(cp + ldcb, a1); v128.store(cp + 2 * ldcb, a2); v128.store(cp + 3 * ldcb, a3);
      v128.store(cp + 4 * ldcb, a4); v128.store(cp + 5 * ldcb, a5); v128.store(cp + 6 * ldcb, a6); v128.store(cp + 7 * ldcb, a7);
    }
    for (; i < rows; i++) mmColumn(l + <usize>i * rsb, csb, kdim, bj, ldbb, c + <usize>i * ldcb + jb, biasj, accumulate);
  }
}

/** One row, one vector of columns of mm(): c (=|+=) init + sum_k L(k) B[k] (strides in bytes). */
function mmColumn(l: usize, csb: usize, kdim: i32, b: usize, ldbb: usize, c: usize, bias: usize, accumulate: i32): void {
  let a = f32x4.splat(0.0);
  if (accumulate) a = v128.load(c);
  else if (bias) a = v128.load(bias);
  let p = l, q = b;
  for (let k = 0; k < kdim; k++) {
    a = mad(v128.load32_splat(p), v128.load(q), a);
    p += csb; q += ldbb;
  }
  v128.store(c, a);
}

/** a = act(z) (+ res when res != 0) over `count` vectors: the hidden layers' forward step. */
export function activate(z: usize, a: usize, count: i32, act: i32, res: usize): void {
  if (a != z) memory.copy(a, z, (<usize>count) << 4);
  activateRange(a, count, act, res);
}

/**
 * The activation's derivatives at z, given a = act(z): d1 = act'(z), and d2 = act''(z) when
 * d2 != 0, over `count` vectors.
 *   linear 1, 0;  relu [z > 0], 0;  leaky_relu [z > 0] + 0.01 [z <= 0], 0;
 *   tanh 1 - a^2, -2 a (1 - a^2);  sigmoid a (1 - a), a (1 - a) (1 - 2a);
 *   elu [z > 0] + (a + 1) [z <= 0], (a + 1) [z <= 0];  softplus s, s (1 - s) with s = sigmoid(z).
 * At the kinks (z = 0) the value is tfjs's: relu' = 0, leaky_relu' = 0.01, elu' = 1.
 */
export function derivatives(z: usize, a: usize, d1: usize, d2: usize, count: i32, act: i32): void {
  const one = K(10);
  const zero = f32x4.splat(0.0);
  const two = f32x4.splat(2.0);
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    const zv = v128.load(z + o);
    const av = v128.load(a + o);
    let g1 = one;
    let g2 = zero;
    if (act == RELU) {
      g1 = v128.and(f32x4.gt(zv, zero), one);
    } else if (act == LEAKY_RELU) {
      g1 = v128.bitselect(one, K(39), f32x4.gt(zv, zero));
    } else if (act == TANH) {
      g1 = f32x4.sub(one, f32x4.mul(av, av));
      g2 = f32x4.mul(f32x4.mul(f32x4.neg(two), av), g1);
    } else if (act == SIGMOID) {
      g1 = f32x4.mul(av, f32x4.sub(one, av));
      g2 = f32x4.mul(g1, f32x4.sub(one, f32x4.mul(two, av)));
    } else if (act == ELU) {
      const pos = f32x4.gt(zv, zero);
      const e = f32x4.add(av, one);
      g1 = v128.bitselect(one, e, pos);
      g2 = v128.bitselect(zero, e, pos);
    } else if (act == SOFTPLUS) {
      const s = sigmoid4(zv);
      g1 = s;
      g2 = f32x4.mul(s, f32x4.sub(one, s));
    } else if (act != LINEAR) {
      unreachable();
    }
    v128.store(d1 + o, g1);
    if (d2) v128.store(d2 + o, g2);
  }
}

/** Zero the columns [from, ld) of `rows` rows of ld floats (the padding a nonzero act(0) filled). */
export function zeroColumns(p: usize, rows: i32, ld: i32, from: i32): void {
  if (from >= ld) return;
  const ldb = (<usize>ld) << 2;
  for (let r = 0; r < rows; r++) {
    const row = p + <usize>r * ldb;
    for (let j = from; j < ld; j++) store<f32>(row + ((<usize>j) << 2), 0.0);
  }
}

/** dst = a * b elementwise over `count` vectors. */
export function mul(dst: usize, a: usize, b: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    v128.store(dst + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
}

/** dst += a * b * c elementwise over `count` vectors (the R-op's second-derivative term). */
export function addMul3(dst: usize, a: usize, b: usize, c: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    const t = f32x4.mul(f32x4.mul(v128.load(a + o), v128.load(b + o)), v128.load(c + o));
    v128.store(dst + o, f32x4.add(v128.load(dst + o), t));
  }
}

/** dst += src over `count` vectors. */
export function add(dst: usize, src: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
}

/** dst = src * s over `count` vectors. */
export function scale(dst: usize, src: usize, s: f32, count: i32): void {
  const sv = f32x4.splat(s);
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    v128.store(dst + o, f32x4.mul(v128.load(src + o), sv));
  }
}

/** dst = x + y * s over `count` vectors (SAM's w + e, e = g rho / (||g|| + 1e-12), as tfjs rounds it). */
export function addScaled(dst: usize, x: usize, y: usize, s: f32, count: i32): void {
  const sv = f32x4.splat(s);
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    v128.store(dst + o, f32x4.add(v128.load(x + o), f32x4.mul(v128.load(y + o), sv)));
  }
}

/** dst[0:ld] += sum over `rows` rows (ld floats each) of src: a bias gradient. */
export function addColumnSums(dst: usize, src: usize, rows: i32, ld: i32): void {
  const ldb = (<usize>ld) << 2;
  for (let j = 0; j < ld; j += 4) {
    const jb = (<usize>j) << 2;
    let acc = v128.load(dst + jb);
    for (let r = 0; r < rows; r++) acc = f32x4.add(acc, v128.load(src + <usize>r * ldb + jb));
    v128.store(dst + jb, acc);
  }
}

/** dst[j, i] = src[i, j] for i < rows, j < cols; src rows of lds floats, dst rows of ldd floats. */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32, lds: i32, ldd: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + ((<usize>j * <usize>ldd + <usize>i) << 2), load<f32>(src + ((<usize>i * <usize>lds + <usize>j) << 2)));
    }
  }
}

/** Row r of dst (ld floats) = row rows[r] of src, for r < count (rows: int32). */
export function gatherRows(dst: usize, src: usize, ld: i32, rows: usize, count: i32): void {
  const ldb = (<usize>ld) << 2;
  for (let r = 0; r < count; r++) {
    const from = <usize>load<i32>(rows + ((<usize>r) << 2));
    memory.copy(dst + <usize>r * ldb, src + from * ldb, ldb);
  }
}

/** The sum of squares of `count` vectors, in float64. */
export function sumSquares(p: usize, count: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const v = v128.load(p + ((<usize>i) << 4));
    const q = f32x4.mul(v, v);
    s += <f64>f32x4.extract_lane(q, 0) + <f64>f32x4.extract_lane(q, 1) + <f64>f32x4.extract_lane(q, 2) + <f64>f32x4.extract_lane(q, 3);
  }
  return s;
}

/**
 * Softmax cross-entropy of logits z [n, ld] (the first `classes` columns) against int32 labels,
 * for rows r < n: out (f64) [0] += sum of -log softmax(z_r)[label_r], [1] += correct predictions
 * (the first max wins, NaN never does, as tfjs's argMax). When dz != 0: dz_r = s (p_r - onehot_r),
 * padding columns 0; when p != 0: p_r = softmax(z_r) (for the R-op). A row with a NaN logit
 * gives NaN. Per row: m = max, S = sum e^(z - m), loss = m + log S - z_label, p = e^(z - m) / S.
 */
export function crossEntropyHead(
  z: usize,
  ld: i32,
  n: i32,
  classes: i32,
  labels: usize,
  s: f32,
  dz: usize,
  p: usize,
  out: usize,
): void {
  const ldb = (<usize>ld) << 2;
  let total: f64 = 0;
  let correct: f64 = 0;
  for (let r = 0; r < n; r++) {
    const row = z + <usize>r * ldb;
    const label = load<i32>(labels + ((<usize>r) << 2));
    let m = load<f32>(row);
    let best = 0;
    let nan = false;
    for (let j = 0; j < classes; j++) {
      const v = load<f32>(row + ((<usize>j) << 2));
      if (isNaN(v)) nan = true;
      if (v > m) {
        m = v;
        best = j;
      }
    }
    // e^(z_j - m) once per class, kept in the row of p (or dz) until it is normalised.
    const keep = p ? p + <usize>r * ldb : dz ? dz + <usize>r * ldb : 0;
    let sum: f32 = 0;
    for (let j = 0; j < classes; j++) {
      const e = Mathf.exp(load<f32>(row + ((<usize>j) << 2)) - m);
      if (keep) store<f32>(keep + ((<usize>j) << 2), e);
      sum += e;
    }
    const lse = m + Mathf.log(sum);
    total += nan ? NaN : <f64>(lse - load<f32>(row + ((<usize>label) << 2)));
    if (!nan && best == label) correct += 1;
    if (keep) {
      const dzRow = dz + <usize>r * ldb;
      const pRow = p + <usize>r * ldb;
      for (let j = 0; j < ld; j++) {
        const o = (<usize>j) << 2;
        let pj: f32 = 0;
        if (j < classes) pj = nan ? NaN : load<f32>(keep + o) / sum;
        if (p) store<f32>(pRow + o, pj);
        if (dz) store<f32>(dzRow + o, j < classes ? s * (pj - (j == label ? <f32>1 : <f32>0)) : 0);
      }
    }
  }
  store<f64>(out, load<f64>(out) + total);
  store<f64>(out, load<f64>(out, 8) + correct, 8);
}

/**
 * The R-op of the cross-entropy gradient: rdz_r = s p_r * (rz_r - <p_r, rz_r>) for rows r < n,
 * over the first `classes` columns (padding 0), given p = softmax(z) from crossEntropyHead.
 */
export function crossEntropyR(p: usize, rz: usize, ld: i32, n: i32, classes: i32, s: f32, rdz: usize): void {
  const ldb = (<usize>ld) << 2;
  for (let r = 0; r < n; r++) {
    const pRow = p + <usize>r * ldb;
    const zRow = rz + <usize>r * ldb;
    const dRow = rdz + <usize>r * ldb;
    let dot: f32 = 0;
    for (let j = 0; j < classes; j++) dot += load<f32>(pRow + ((<usize>j) << 2)) * load<f32>(zRow + ((<usize>j) << 2));
    for (let j = 0; j < ld; j++) {
      const o = (<usize>j) << 2;
      store<f32>(dRow + o, j < classes ? s * load<f32>(pRow + o) * (load<f32>(zRow + o) - dot) : 0);
    }
  }
}

/**
 * Squared error of outputs z [n, ld] against targets y [n, ld] (the first `cols` columns):
 * out (f64) [0] += sum of (z - y)^2; when dz != 0, dz = 2 s (z - y), padding columns 0.
 */
export function squaredErrorHead(z: usize, y: usize, ld: i32, n: i32, cols: i32, s: f32, dz: usize, out: usize): void {
  const ldb = (<usize>ld) << 2;
  let total: f64 = 0;
  const s2 = <f32>2 * s;
  for (let r = 0; r < n; r++) {
    const zRow = z + <usize>r * ldb;
    const yRow = y + <usize>r * ldb;
    for (let j = 0; j < ld; j++) {
      const o = (<usize>j) << 2;
      const d = load<f32>(zRow + o) - load<f32>(yRow + o);
      if (j < cols) total += <f64>(d * d);
      if (dz) store<f32>(dz + <usize>r * ldb + o, j < cols ? s2 * d : 0);
    }
  }
  store<f64>(out, load<f64>(out) + total);
}

// Optimizer codes (keep in step with OPTIMIZER_CODES in mlp-train-kernel.ts).
const SGD: i32 = 0;
const MOMENTUM: i32 = 1;
const ADAM: i32 = 2;

/**
 * One optimizer update of `count` vectors of parameters w from gradients g (train/optimizers.ts,
 * op for op as tfjs rounds it): g' = g + w wd (when wd > 0), then
 *   sgd:      w = w - g' lr
 *   momentum: m = m mu + g';  w = w - m lr
 *   adam:     m = m b1 + g' (1 - b1);  v = v b2 + g'^2 (1 - b2);
 *             w = w - (m / c1) / (sqrt(v / c2) + eps) lr,   c1 = 1 - b1^t, c2 = 1 - b2^t
 * The scalars come from the host already rounded to float32, as tfjs's scalar tensors are.
 */
export function optimizerStep(
  kind: i32,
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  count: i32,
  lr: f32,
  mu: f32,
  b1: f32,
  oneMinusB1: f32,
  b2: f32,
  oneMinusB2: f32,
  eps: f32,
  wd: f32,
  c1: f32,
  c2: f32,
): void {
  const lrv = f32x4.splat(lr);
  const wdv = f32x4.splat(wd);
  for (let i = 0; i < count; i++) {
    const o = (<usize>i) << 4;
    const wv = v128.load(w + o);
    let gv = v128.load(g + o);
    if (wd > 0) gv = f32x4.add(gv, f32x4.mul(wv, wdv));
    if (kind == SGD) {
      v128.store(w + o, f32x4.sub(wv, f32x4.mul(gv, lrv)));
    } else if (kind == MOMENTUM) {
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(mu)), gv);
      v128.store(m + o, mv);
      v128.store(w + o, f32x4.sub(wv, f32x4.mul(mv, lrv)));
    } else if (kind == ADAM) {
      const mv = f32x4.add(f32x4.mul(v128.load(m + o), f32x4.splat(b1)), f32x4.mul(gv, f32x4.splat(oneMinusB1)));
      const vv = f32x4.add(f32x4.mul(v128.load(v + o), f32x4.splat(b2)), f32x4.mul(f32x4.mul(gv, gv), f32x4.splat(oneMinusB2)));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const mHat = f32x4.div(mv, f32x4.splat(c1));
      const vHat = f32x4.div(vv, f32x4.splat(c2));
      const upd = f32x4.div(mHat, f32x4.add(f32x4.sqrt(vHat), f32x4.splat(eps)));
      v128.store(w + o, f32x4.sub(wv, f32x4.mul(upd, lrv)));
    } else {
      unreachable();
    }
  }
}
