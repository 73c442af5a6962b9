// AssemblyScript source of the tuned CPU kernel: the batched MLP forward pass, loss and accuracy
// (see ../landscape/wasm-kernel-evaluator.ts for how the host drives it). Built by build.mjs into
// kernel-wasm.generated.ts; it is not TypeScript (hence .as: tsc and Biome never read it).
//
// Memory: raw pointers (byte offsets, 16-byte aligned) into one linear memory laid out by the
// host. Activations [N, width] are stored in STRIPS: rows in groups of four, each group
// column-major, i.e. a [N/4, width4, 4] array (width4 = width rounded up to a multiple of 4).
// Then every column of a strip is one f32x4 (four samples), so
// - the GEMM reads its four A values of a k step at fixed offsets 0, 4, 8, 12 from one pointer,
// - activation, residual and loss work on whole vectors, and the loss needs no transpose.
//
// Built twice: plain SIMD, and with relaxed SIMD (ASC_FEATURE_RELAXED_SIMD) where mad() is a
// fused multiply-add.

// Activation codes (keep in step with ACTIVATION_CODES in kernel-module.ts).
export const LINEAR: i32 = 0;
export const RELU: i32 = 1;
export const LEAKY_RELU: i32 = 2;
export const TANH: i32 = 3;
export const SIGMOID: i32 = 4;
export const ELU: i32 = 5;
export const SOFTPLUS: i32 = 6;

// Cache blocking of gemm(): a KC x NC block of the packed kernel (at most 256 KB) stays in L2
// while the strips of A stream past it; a strip's KC x 4 slice of A (4 KB) stays in L1.
const KC: i32 = 256;
const NC: i32 = 256;

// Vector constants live in memory, one v128.load each (V8 builds a v128.const from immediates
// with about four instructions, which dominated the transcendental activations).
const CONSTS: usize = memory.data<f32>([
  -87.3, -87.3, -87.3, -87.3, // 0 exp clamp
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 1 log2(e)
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // 2 ln 2, high part
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // 3 ln 2, low part
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 4 exp polynomial
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, // 5
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, // 6
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, // 7
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, // 8
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, // 9
  1.0, 1.0, 1.0, 1.0, // 10 one
  0.5, 0.5, 0.5, 0.5, // 11 half
  1.41421356237309505, 1.41421356237309505, 1.41421356237309505, 1.41421356237309505, // 12 sqrt 2
  7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, // 13 log polynomial
  -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, // 14
  1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, // 15
  -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, // 16
  1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, // 17
  -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, // 18
  2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, // 19
  -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, // 20
  3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, // 21
  -0.5, -0.5, -0.5, -0.5, // 22
  -929569.0 / 638512875.0, -929569.0 / 638512875.0, -929569.0 / 638512875.0, -929569.0 / 638512875.0, // 23 tanh series z^15
  21844.0 / 6081075.0, 21844.0 / 6081075.0, 21844.0 / 6081075.0, 21844.0 / 6081075.0, // 24 z^13
  -1382.0 / 155925.0, -1382.0 / 155925.0, -1382.0 / 155925.0, -1382.0 / 155925.0, // 25 z^11
  62.0 / 2835.0, 62.0 / 2835.0, 62.0 / 2835.0, 62.0 / 2835.0, // 26 z^9
  -17.0 / 315.0, -17.0 / 315.0, -17.0 / 315.0, -17.0 / 315.0, // 27 z^7
  2.0 / 15.0, 2.0 / 15.0, 2.0 / 15.0, 2.0 / 15.0, // 28 z^5
  -1.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0, // 29 z^3
  0.4, 0.4, 0.4, 0.4, // 30 tanh: series below this |z|
  -2.0, -2.0, -2.0, -2.0, // 31
  1.0 / 40320.0, 1.0 / 40320.0, 1.0 / 40320.0, 1.0 / 40320.0, // 32 expm1 series x^8
  1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 5040.0, 1.0 / 5040.0, // 33 x^7
  1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0, // 34 x^6
  1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0, // 35 x^5
  1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0, // 36 x^4
  1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, // 37 x^3
  -0.35, -0.35, -0.35, -0.35, // 38 expm1: series above this x
  0.01, 0.01, 0.01, 0.01, // 39 leaky_relu slope
  Infinity, Infinity, Infinity, Infinity, // 40
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 41 1.5 * 2^23: adding it rounds to an integer
], 16);
const ICONSTS: usize = memory.data<i32>([
  127, 127, 127, 127, // 0 float exponent bias
  0x007fffff, 0x007fffff, 0x007fffff, 0x007fffff, // 1 mantissa mask
  0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000, // 2 exponent of 1.0
  i32.MIN_VALUE, i32.MIN_VALUE, i32.MIN_VALUE, i32.MIN_VALUE, // 3 sign bit
  0, 1, 2, 3, // 4 lane index
], 16);

// @ts-ignore: decorator
@inline export function K(i: i32): v128 {
  return v128.load(CONSTS + (<usize>i << 4));
}
// @ts-ignore: decorator
@inline export function KI(i: i32): v128 {
  return v128.load(ICONSTS + (<usize>i << 4));
}

/** The start of the host's part of memory (after the static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// @ts-ignore: decorator
@inline export function mad(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// exp(x) for x <= 0 (NaN stays NaN): Cephes expf (about 1 ulp); below -87.3, where 2^n would
// leave the normal floats, the answer is 0 (the true value is under 1.2e-38). n = round(x log2 e)
// by adding 1.5 * 2^23, which also leaves n in the low bits of t, so 2^n is one shift and one add
// away (no float-int conversion).
// @ts-ignore: decorator
@inline function expNonPositive(x0: v128): v128 {
  const x = f32x4.pmax(x0, K(0)); // pmax(x, lo) = x < lo ? lo : x keeps NaN
  const t = mad(x, K(1), K(41));
  const fx = f32x4.sub(t, K(41));
  let r = f32x4.sub(x, f32x4.mul(fx, K(2)));
  r = f32x4.sub(r, f32x4.mul(fx, K(3)));
  let p = mad(K(4), r, K(5));
  p = mad(p, r, K(6));
  p = mad(p, r, K(7));
  p = mad(p, r, K(8));
  p = mad(p, r, K(9));
  const y = f32x4.add(mad(p, f32x4.mul(r, r), r), K(10));
  // bits of t = 0x4b400000 + n; shifted left 23, the constant's bits fall out.
  const e = f32x4.mul(y, i32x4.add(i32x4.shl(t, 23), KI(2)));
  return v128.andnot(e, f32x4.lt(x0, K(0))); // lt is false for NaN
}

// expm1(x) for x <= 0: Taylor series near 0 (where exp(x) - 1 would cancel), else exp(x) - 1.
// @ts-ignore: decorator
@inline function expm1NonPositive(x: v128): v128 {
  const e = f32x4.sub(expNonPositive(x), K(10));
  let p = mad(K(32), x, K(33));
  p = mad(p, x, K(34));
  p = mad(p, x, K(35));
  p = mad(p, x, K(36));
  p = mad(p, x, K(37));
  p = mad(p, x, K(11));
  const series = mad(f32x4.mul(p, x), x, x);
  return v128.bitselect(series, e, f32x4.gt(x, K(38)));
}

// log1p(t) for t >= 0 (or +Infinity, NaN): log(u) of u = 1 + t by Cephes logf on the mantissa,
// plus the classic correction (t - (u - 1)) / u for the bits of t lost in 1 + t.
// @ts-ignore: decorator
@inline function log1pNonNegative(t: v128): v128 {
  const one = K(10);
  const u = f32x4.add(one, t);
  const corr = f32x4.div(f32x4.sub(t, f32x4.sub(u, one)), u);
  let e = i32x4.sub(i32x4.shr_u(u, 23), KI(0));
  let m = v128.or(v128.and(u, KI(1)), KI(2));
  const big = f32x4.gt(m, K(12));
  m = v128.bitselect(f32x4.mul(m, K(11)), m, big);
  e = i32x4.sub(e, big); // big lanes are -1: e + 1
  const f = f32x4.sub(m, one);
  const z = f32x4.mul(f, f);
  let p = mad(K(13), f, K(14));
  p = mad(p, f, K(15));
  p = mad(p, f, K(16));
  p = mad(p, f, K(17));
  p = mad(p, f, K(18));
  p = mad(p, f, K(19));
  p = mad(p, f, K(20));
  p = mad(p, f, K(21));
  const ef = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = mad(ef, K(3), y);
  y = mad(z, K(22), y);
  let r = f32x4.add(f, y);
  r = mad(ef, K(2), r);
  r = f32x4.add(r, corr);
  // u = +Infinity: the correction is NaN; the answer is +Infinity.
  return v128.bitselect(u, r, f32x4.eq(u, K(40)));
}

// tanh: odd Taylor series for |z| < 0.4, else (1 - e^-2|z|) / (1 + e^-2|z|); sign copied back.
// @ts-ignore: decorator
@inline function tanh4(z: v128): v128 {
  const one = K(10);
  const a = f32x4.abs(z);
  const e = expNonPositive(f32x4.mul(a, K(31)));
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  const s = f32x4.mul(a, a);
  let p = mad(K(23), s, K(24));
  p = mad(p, s, K(25));
  p = mad(p, s, K(26));
  p = mad(p, s, K(27));
  p = mad(p, s, K(28));
  p = mad(p, s, K(29));
  const small = mad(f32x4.mul(p, s), a, a);
  const r = v128.bitselect(small, big, f32x4.lt(a, K(30)));
  return v128.or(r, v128.and(z, KI(3)));
}

// sigmoid: 1 / (1 + e^-|z|) for z >= 0, e^-|z| / (1 + e^-|z|) otherwise (no overflow, no cancellation).
// @ts-ignore: decorator
@inline export function sigmoid4(z: v128): v128 {
  const e = expNonPositive(f32x4.neg(f32x4.abs(z)));
  const r = f32x4.div(K(10), f32x4.add(K(10), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(z, f32x4.splat(0.0)));
}

// @ts-ignore: decorator
@inline function elu4(z: v128): v128 {
  const neg = expm1NonPositive(f32x4.pmin(z, f32x4.splat(0.0)));
  return v128.bitselect(z, neg, f32x4.gt(z, f32x4.splat(0.0)));
}

// softplus(z) = max(z, 0) + log1p(e^-|z|).
// @ts-ignore: decorator
@inline function softplus4(z: v128): v128 {
  const e = expNonPositive(f32x4.neg(f32x4.abs(z)));
  return f32x4.add(f32x4.pmax(z, f32x4.splat(0.0)), log1pNonNegative(e));
}

/**
 * v[i] = act(v[i]) (+ res[i] when res != 0) for `count` vectors at p: the hidden layers'
 * activation, and the residual connection h + act(z). The transcendental ones take two vectors
 * per step: their polynomial chains are long, and two independent chains fill the pipelines.
 */
export function activateRange(p: usize, count: i32, act: i32, res: usize): void {
  const end = p + (<usize>count << 4);
  switch (act) {
    case RELU: {
      for (let q = p; q < end; q += 16) v128.store(q, f32x4.pmax(v128.load(q), f32x4.splat(0.0)));
      break;
    }
    case LEAKY_RELU: {
      for (let q = p; q < end; q += 16) {
        const z = v128.load(q);
        v128.store(q, f32x4.pmax(z, f32x4.mul(z, K(39))));
      }
      break;
    }
    case TANH: {
      let q = p;
      for (; q + 32 <= end; q += 32) {
        const z0 = tanh4(v128.load(q));
        const z1 = tanh4(v128.load(q, 16));
        v128.store(q, z0);
        v128.store(q, z1, 16);
      }
      if (q < end) v128.store(q, tanh4(v128.load(q)));
      break;
    }
    case SIGMOID: {
      let q = p;
      for (; q + 32 <= end; q += 32) {
        const z0 = sigmoid4(v128.load(q));
        const z1 = sigmoid4(v128.load(q, 16));
        v128.store(q, z0);
        v128.store(q, z1, 16);
      }
      if (q < end) v128.store(q, sigmoid4(v128.load(q)));
      break;
    }
    case ELU: {
      let q = p;
      for (; q + 32 <= end; q += 32) {
        const z0 = elu4(v128.load(q));
        const z1 = elu4(v128.load(q, 16));
        v128.store(q, z0);
        v128.store(q, z1, 16);
      }
      if (q < end) v128.store(q, elu4(v128.load(q)));
      break;
    }
    case SOFTPLUS: {
      let q = p;
      for (; q + 32 <= end; q += 32) {
        const z0 = softplus4(v128.load(q));
        const z1 = softplus4(v128.load(q, 16));
        v128.store(q, z0);
        v128.store(q, z1, 16);
      }
      if (q < end) v128.store(q, softplus4(v128.load(q)));
      break;
    }
    default:
      break;
  }
  if (res) {
    for (let q = p, r = res; q < end; q += 16, r += 16) v128.store(q, f32x4.add(v128.load(r), v128.load(q)));
  }
}

/**
 * dst[i] = base[i] + sum_j c_j dirs[j len + i] for i < len (a multiple of 4), c the k floats at
 * coords; in pieces that stay in L1 across the k passes. Forms a vector's packed kernels and
 * biases (and a linear model's outputs from the precomputed products).
 */
export function affine(dst: usize, base: usize, dirs: usize, len: i32, k: i32, coords: usize): void {
  const block = 1024;
  const stride = <usize>len << 2;
  for (let start = 0; start < len; start += block) {
    const off = <usize>start << 2;
    const bytes = <usize>(min(start + block, len) - start) << 2;
    const c0 = v128.load32_splat(coords);
    for (let i: usize = 0; i < bytes; i += 16) {
      v128.store(dst + off + i, mad(c0, v128.load(dirs + off + i), v128.load(base + off + i)));
    }
    for (let j = 1; j < k; j++) {
      const c = v128.load32_splat(coords + (<usize>j << 2));
      const d = dirs + <usize>j * stride + off;
      for (let i: usize = 0; i < bytes; i += 16) {
        const q = dst + off + i;
        v128.store(q, mad(c, v128.load(d + i), v128.load(q)));
      }
    }
  }
}

/**
 * dst = X W + b in float64 sums, rounded once to float32, stored in strips of width ldd:
 * layer 0's products X W_0 + b_0 and X D_0k + db_0k, computed once per problem.
 * x [rows, inW] and w [inW, outW] dense row-major; b [outW].
 */
export function linearF64(dst: usize, ldd: i32, x: usize, rows: i32, inW: i32, w: usize, b: usize, outW: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * inW) << 2);
    const dr = dst + (<usize>((r >> 2) * ldd * 4 + (r & 3)) << 2);
    for (let j = 0; j < outW; j++) {
      let s: f64 = <f64>load<f32>(b + (<usize>j << 2));
      for (let i = 0; i < inW; i++) {
        s += <f64>load<f32>(xr + (<usize>i << 2)) * <f64>load<f32>(w + (<usize>(i * outW + j) << 2));
      }
      store<f32>(dr + (<usize>j << 4), <f32>s);
    }
  }
}

// Four row vectors (one row, four columns each) <-> four column vectors (one column, four rows).
// @ts-ignore: decorator
@inline function transposeStore(t: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(t, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(t, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
  v128.store(t, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
  v128.store(t, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
}

// One strip tile: C[4 rows, 8 columns] (+)= A[4, kc] B[kc, 8]. a: the strip at the block's first
// k (the four rows of a k step at offsets 0, 4, 8, 12); b: the packed panel [kc, 8]; c: the tile's
// 8 column vectors; bias: 8 floats. The k loop is not unrolled on purpose: V8 hoists the loads of
// an unrolled body and then spills; one step keeps 8 accumulators, 2 B vectors and 4 broadcasts
// (plus one product) in the 15 usable xmm registers.
function tile4x8(a: usize, b: usize, kc: i32, c: usize, bias: usize, first: bool, act: i32): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (first) {
    c00 = v128.load(bias);
    c01 = v128.load(bias, 16);
    c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
  } else {
    // Partial sums of an earlier k block, stored as columns: transpose back to rows.
    const t = memory.data(128);
    transposeStore(t, v128.load(c), v128.load(c, 16), v128.load(c, 32), v128.load(c, 48));
    transposeStore(t + 64, v128.load(c, 64), v128.load(c, 80), v128.load(c, 96), v128.load(c, 112));
    c00 = v128.load(t); c10 = v128.load(t, 16); c20 = v128.load(t, 32); c30 = v128.load(t, 48);
    c01 = v128.load(t, 64); c11 = v128.load(t, 80); c21 = v128.load(t, 96); c31 = v128.load(t, 112);
  }
  const end = a + (<usize>kc << 4);
  for (; a < end; a += 16) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a); c00 = mad(x, b0, c00); c01 = mad(x, b1, c01);
    x = v128.load32_splat(a, 4); c10 = mad(x, b0, c10); c11 = mad(x, b1, c11);
    x = v128.load32_splat(a, 8); c20 = mad(x, b0, c20); c21 = mad(x, b1, c21);
    x = v128.load32_splat(a, 12); c30 = mad(x, b0, c30); c31 = mad(x, b1, c31);
    b += 32;
  }
  if (act != LINEAR) {
    c00 = simpleActivate(c00, act); c01 = simpleActivate(c01, act);
    c10 = simpleActivate(c10, act); c11 = simpleActivate(c11, act);
    c20 = simpleActivate(c20, act); c21 = simpleActivate(c21, act);
    c30 = simpleActivate(c30, act); c31 = simpleActivate(c31, act);
  }
  transposeStore(c, c00, c10, c20, c30);
  transposeStore(c + 64, c01, c11, c21, c31);
}

// The 4 x 4 tile, for a last panel of 4 columns (widths that are 4 mod 8, e.g. 2 or 4 outputs).
function tile4x4(a: usize, b: usize, kc: i32, c: usize, bias: usize, first: bool, act: i32): void {
  let c0: v128, c1: v128, c2: v128, c3: v128;
  if (first) {
    c0 = v128.load(bias);
    c1 = c0; c2 = c0; c3 = c0;
  } else {
    const t = memory.data(64);
    transposeStore(t, v128.load(c), v128.load(c, 16), v128.load(c, 32), v128.load(c, 48));
    c0 = v128.load(t); c1 = v128.load(t, 16); c2 = v128.load(t, 32); c3 = v128.load(t, 48);
  }
  const end = a + (<usize>kc << 4);
  for (; a < end; a += 16) {
    const b0 = v128.load(b);
    c0 = mad(v128.load32_splat(a), b0, c0);
    c1 = mad(v128.load32_splat(a, 4), b0, c1);
    c2 = mad(v128.load32_splat(a, 8), b0, c2);
    c3 = mad(v128.load32_splat(a, 12), b0, c3);
    b += 16;
  }
  if (act != LINEAR) {
    c0 = simpleActivate(c0, act);
    c1 = simpleActivate(c1, act);
    c2 = simpleActivate(c2, act);
    c3 = simpleActivate(c3, act);
  }
  transposeStore(c, c0, c1, c2, c3);
}

// A narrow layer (at most 4 output columns, e.g. the logits of 2 classes or 1 regression output)
// on one strip: each output column is one accumulator over the four rows, so the columns that
// are only padding cost nothing. b: the packed panel [kdim, 4]; c: the strip's 4 column vectors.
function stripNarrow(a: usize, b: usize, kdim: i32, c: usize, bias: usize, cols: i32): void {
  const end = a + (<usize>kdim << 4);
  if (cols == 1) {
    let c0 = v128.load32_splat(bias);
    for (; a < end; a += 16) {
      c0 = mad(v128.load(a), v128.load32_splat(b), c0);
      b += 16;
    }
    v128.store(c, c0);
  } else if (cols == 2) {
    let c0 = v128.load32_splat(bias);
    let c1 = v128.load32_splat(bias, 4);
    for (; a < end; a += 16) {
      const x = v128.load(a);
      c0 = mad(x, v128.load32_splat(b), c0);
      c1 = mad(x, v128.load32_splat(b, 4), c1);
      b += 16;
    }
    v128.store(c, c0);
    v128.store(c, c1, 16);
  } else {
    let c0 = v128.load32_splat(bias);
    let c1 = v128.load32_splat(bias, 4);
    let c2 = v128.load32_splat(bias, 8);
    let c3 = v128.load32_splat(bias, 12);
    for (; a < end; a += 16) {
      const x = v128.load(a);
      c0 = mad(x, v128.load32_splat(b), c0);
      c1 = mad(x, v128.load32_splat(b, 4), c1);
      c2 = mad(x, v128.load32_splat(b, 8), c2);
      c3 = mad(x, v128.load32_splat(b, 12), c3);
      b += 16;
    }
    v128.store(c, c0);
    v128.store(c, c1, 16);
    v128.store(c, c2, 32);
    v128.store(c, c3, 48);
  }
}

// Whether an activation is cheap enough to apply inline (in the GEMM tiles and layer 0's loop).
// @ts-ignore: decorator
@inline function isSimple(act: i32): bool {
  return act == LINEAR || act == RELU || act == LEAKY_RELU;
}

// @ts-ignore: decorator
@inline function simpleActivate(z: v128, act: i32): v128 {
  if (act == RELU) return f32x4.pmax(z, f32x4.splat(0.0));
  if (act == LEAKY_RELU) return f32x4.pmax(z, f32x4.mul(z, K(39)));
  return z;
}

// Four strips at once (a, a + lda, ...) of a layer with 1 or 2 output columns: 8 accumulators,
// the same register budget as tile4x8. c: the first strip's output, the others ldc apart.
function fourStripsNarrow(a: usize, lda: usize, b: usize, kdim: i32, c: usize, ldc: usize, bias: usize, cols: i32): void {
  let a1 = a + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  const end = a + (<usize>kdim << 4);
  const bias0 = v128.load32_splat(bias);
  const bias1 = v128.load32_splat(bias, 4);
  let p0 = bias0, p1 = bias0, p2 = bias0, p3 = bias0;
  let q0 = bias1, q1 = bias1, q2 = bias1, q3 = bias1;
  if (cols == 1) {
    for (; a < end; a += 16) {
      const w0 = v128.load32_splat(b);
      p0 = mad(v128.load(a), w0, p0);
      p1 = mad(v128.load(a1), w0, p1);
      p2 = mad(v128.load(a2), w0, p2);
      p3 = mad(v128.load(a3), w0, p3);
      a1 += 16; a2 += 16; a3 += 16;
      b += 16;
    }
  } else {
    for (; a < end; a += 16) {
      const w0 = v128.load32_splat(b);
      const w1 = v128.load32_splat(b, 4);
      let x = v128.load(a); p0 = mad(x, w0, p0); q0 = mad(x, w1, q0);
      x = v128.load(a1); p1 = mad(x, w0, p1); q1 = mad(x, w1, q1);
      x = v128.load(a2); p2 = mad(x, w0, p2); q2 = mad(x, w1, q2);
      x = v128.load(a3); p3 = mad(x, w0, p3); q3 = mad(x, w1, q3);
      a1 += 16; a2 += 16; a3 += 16;
      b += 16;
    }
  }
  v128.store(c, p0); v128.store(c, q0, 16);
  v128.store(c + ldc, p1); v128.store(c + ldc, q1, 16);
  v128.store(c + 2 * ldc, p2); v128.store(c + 2 * ldc, q2, 16);
  v128.store(c + 3 * ldc, p3); v128.store(c + 3 * ldc, q3, 16);
}

/**
 * Layer 0 for one strip into dst: act(base + sum_j c_j dirs_j) over the strip's width4 column
 * vectors (base, dirs: the precomputed products, strips of width4; the K blocks `stride` bytes
 * apart), in one pass for K <= 3.
 */
// @ts-ignore: decorator
@inline function layer0Strip(dst: usize, base: usize, dirs: usize, stride: usize, width4: i32, k: i32, coords: usize, act: i32): void {
  const bytes = <usize>width4 << 4;
  const inline = isSimple(act) ? act : LINEAR;
  const c0 = v128.load32_splat(coords);
  if (k == 1) {
    for (let i: usize = 0; i < bytes; i += 16) {
      v128.store(dst + i, simpleActivate(mad(c0, v128.load(dirs + i), v128.load(base + i)), inline));
    }
  } else if (k == 2) {
    const c1 = v128.load32_splat(coords, 4);
    const d1 = dirs + stride;
    for (let i: usize = 0; i < bytes; i += 16) {
      const z = mad(c1, v128.load(d1 + i), mad(c0, v128.load(dirs + i), v128.load(base + i)));
      v128.store(dst + i, simpleActivate(z, inline));
    }
  } else {
    const c1 = v128.load32_splat(coords, 4);
    const c2 = v128.load32_splat(coords, 8);
    const d1 = dirs + stride;
    const d2 = d1 + stride;
    for (let i: usize = 0; i < bytes; i += 16) {
      let z = mad(c1, v128.load(d1 + i), mad(c0, v128.load(dirs + i), v128.load(base + i)));
      z = mad(c2, v128.load(d2 + i), z);
      for (let j = 3; j < k; j++) {
        z = mad(v128.load32_splat(coords + (<usize>j << 2)), v128.load(dirs + <usize>j * stride + i), z);
      }
      v128.store(dst + i, simpleActivate(z, inline));
    }
  }
  if (!isSimple(act)) activateRange(dst, width4, act, 0);
}

/**
 * C = act(A B + bias) (+ A when residual), all in strips.
 * a: [rows, kdim] in strips of width lda; bp: the packed kernel, panels of 8 columns (the last
 * one 4 wide when cols4 is 4 mod 8), each [kdim, width] row-major, panel j at kdim j floats,
 * followed by the bias [cols4]; c: [rows, cols4] in strips of width ldc (>= cols4, c != a).
 * cols: the true number of columns (<= cols4). rows is a multiple of 4; residual needs lda == ldc.
 *
 * Layer 0 fused: when k0n (its K) > 0, A is not read from a but made strip by strip (in an L1 scratch at
 * a) as act0(base0 + sum_j c_j dirs0_j), the products of prepare() (strips of width lda, the K
 * blocks len0 floats apart), so layer 0's activations never travel through L2.
 */
export function gemm(
  a: usize, lda: i32, bp: usize, c: usize, ldc: i32, rows: i32, kdim: i32, cols: i32, cols4: i32, act: i32, residual: bool,
  k0n: i32, base0: usize, dirs0: usize, len0: i32, coords: usize, act0: i32,
): void {
  const bias = bp + (<usize>(kdim * cols4) << 2);
  const ldaB = <usize>lda << 4;
  const ldcB = <usize>ldc << 4;
  const fused = k0n > 0;
  const stride0 = <usize>len0 << 2;
  if (cols4 == 4 && !fused) {
    let s = 0;
    if (cols <= 2 && act == LINEAR && !residual) {
      for (; s + 16 <= rows; s += 16) {
        const off = <usize>(s >> 2);
        fourStripsNarrow(a + off * ldaB, ldaB, bp, kdim, c + off * ldcB, ldcB, bias, cols);
      }
    }
    for (; s < rows; s += 4) {
      const strip = a + <usize>(s >> 2) * ldaB;
      const cs = c + <usize>(s >> 2) * ldcB;
      stripNarrow(strip, bp, kdim, cs, bias, cols);
      if (act != LINEAR || residual) activateRange(cs, 4, act, residual ? strip : 0);
    }
    return;
  }
  for (let j0 = 0; j0 < cols4; j0 += NC) {
    const j1 = min(j0 + NC, cols4);
    for (let k0 = 0; k0 < kdim; k0 += KC) {
      const kc = min(KC, kdim - k0);
      const first = k0 == 0;
      const last = k0 + kc >= kdim;
      // relu and leaky_relu are applied to the tile's registers; the others after the strip.
      const tileAct = last && isSimple(act) ? act : LINEAR;
      const rangeAct = isSimple(act) ? LINEAR : act;
      for (let s = 0; s < rows; s += 4) {
        let strip = a + <usize>(s >> 2) * ldaB;
        if (fused) {
          const off = <usize>(s >> 2) * ldaB;
          layer0Strip(a, base0 + off, dirs0 + off, stride0, lda, k0n, coords, act0);
          strip = a;
        }
        const ak = strip + (<usize>k0 << 4);
        const cs = c + <usize>(s >> 2) * ldcB;
        for (let j = j0; j < j1; j += 8) {
          if (j + 8 <= cols4) {
            const panel = bp + (<usize>(kdim * j + k0 * 8) << 2);
            tile4x8(ak, panel, kc, cs + (<usize>j << 4), bias + (<usize>j << 2), first, tileAct);
          } else {
            const panel = bp + (<usize>(kdim * j + k0 * 4) << 2);
            tile4x4(ak, panel, kc, cs + (<usize>j << 4), bias + (<usize>j << 2), first, tileAct);
          }
        }
        if (last && (rangeAct != LINEAR || residual)) {
          activateRange(cs + (<usize>j0 << 4), j1 - j0, rangeAct, residual ? strip + (<usize>j0 << 4) : 0);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function sumLanesF64(acc: v128, v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
  return f64x2.add(acc, f64x2.add(lo, hi));
}

/**
 * Mean softmax cross-entropy and accuracy of logits z [rows, classes] (strips of width ldz)
 * against int32 labels [rows], over the first n rows; written as f32 [loss, accuracy] at out.
 * Per sample: loss = (m - z_label) + log1p(sum over classes but the first max of e^(z - m)),
 * m the max (NaN if any logit is NaN); the prediction is the first max (ties go to the lower
 * class, NaN never wins), as tfjs's argMax.
 */
export function crossEntropy(z: usize, ldz: i32, n: i32, classes: i32, labels: usize, out: usize): void {
  const ldzB = <usize>ldz << 4;
  let lossAcc = f64x2.splat(0.0);
  let correct = i32x4.splat(0);
  if (classes == 2) {
    // loss = softplus(z_other - z_label) = max(d, 0) + log1p(e^-|d|), plus (m - m) with m the
    // max, which is NaN exactly when the general formula gives NaN (a NaN or infinite max).
    for (let r = 0; r < n; r += 4) {
      const t = z + <usize>(r >> 2) * ldzB;
      const lab = v128.load(labels + (<usize>r << 2));
      const z0 = v128.load(t);
      const z1 = v128.load(t, 16);
      const one = i32x4.eq(lab, i32x4.splat(1));
      const d = f32x4.sub(v128.bitselect(z0, z1, one), v128.bitselect(z1, z0, one));
      const m = f32x4.max(z0, z1);
      const e = expNonPositive(f32x4.neg(f32x4.abs(d)));
      let loss = f32x4.add(f32x4.pmax(d, f32x4.splat(0.0)), log1pNonNegative(e));
      loss = f32x4.add(loss, f32x4.sub(m, m));
      const arg = f32x4.gt(z1, z0); // -1 where class 1 wins
      const valid = i32x4.lt_s(i32x4.add(KI(4), i32x4.splat(r)), i32x4.splat(n));
      lossAcc = sumLanesF64(lossAcc, v128.and(loss, valid));
      correct = i32x4.sub(correct, v128.and(v128.not(v128.xor(arg, one)), valid));
    }
  }
  for (let r = classes == 2 ? n : 0; r < n; r += 4) {
    const t = z + <usize>(r >> 2) * ldzB;
    const lab = v128.load(labels + (<usize>r << 2));
    let m = v128.load(t);
    let best = m;
    let arg = i32x4.splat(0);
    let zl = v128.and(m, i32x4.eq(lab, arg));
    for (let j = 1; j < classes; j++) {
      const v = v128.load(t + (<usize>j << 4));
      const jv = i32x4.splat(j);
      m = f32x4.max(m, v); // NaN-propagating
      const gt = f32x4.gt(v, best);
      best = v128.bitselect(v, best, gt);
      arg = v128.bitselect(jv, arg, gt);
      zl = v128.bitselect(v, zl, i32x4.eq(lab, jv));
    }
    let s = f32x4.splat(0.0);
    for (let j = 0; j < classes; j++) {
      const e = expNonPositive(f32x4.sub(v128.load(t + (<usize>j << 4)), m));
      s = f32x4.add(s, v128.andnot(e, i32x4.eq(arg, i32x4.splat(j))));
    }
    const loss = f32x4.add(f32x4.sub(m, zl), log1pNonNegative(s));
    const valid = i32x4.lt_s(i32x4.add(KI(4), i32x4.splat(r)), i32x4.splat(n));
    lossAcc = sumLanesF64(lossAcc, v128.and(loss, valid));
    correct = i32x4.sub(correct, v128.and(i32x4.eq(arg, lab), valid));
  }
  const total = f64x2.extract_lane(lossAcc, 0) + f64x2.extract_lane(lossAcc, 1);
  const hits =
    i32x4.extract_lane(correct, 0) + i32x4.extract_lane(correct, 1) + i32x4.extract_lane(correct, 2) + i32x4.extract_lane(correct, 3);
  store<f32>(out, <f32>(total / <f64>n));
  store<f32>(out, <f32>(<f64>hits / <f64>n), 4);
}

/**
 * Mean squared error of outputs z [rows, cols] against targets y [rows, cols], both in strips of
 * width ldz, over the first n rows; written as f32 at out.
 */
export function meanSquaredError(z: usize, ldz: i32, n: i32, cols: i32, y: usize, out: usize): void {
  const ldzB = <usize>ldz << 4;
  let acc = f64x2.splat(0.0);
  for (let r = 0; r < n; r += 4) {
    const zs = z + <usize>(r >> 2) * ldzB;
    const ys = y + <usize>(r >> 2) * ldzB;
    const valid = i32x4.lt_s(i32x4.add(KI(4), i32x4.splat(r)), i32x4.splat(n));
    for (let j = 0; j < cols; j++) {
      const off = <usize>j << 4;
      const d = f32x4.sub(v128.load(zs + off), v128.load(ys + off));
      acc = sumLanesF64(acc, v128.and(f32x4.mul(d, d), valid));
    }
  }
  const total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  store<f32>(out, <f32>(total / (<f64>n * <f64>cols)));
}
