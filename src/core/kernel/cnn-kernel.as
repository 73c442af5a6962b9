// AssemblyScript source of the kernel's layers-model (CNN) forward pass: the part of a layers
// model after its first Dense / Conv2D layer, run for one grid point on groups of four samples
// (the host is ../landscape/wasm-cnn-evaluator.ts; the plan of steps is ../landscape/cnn-plan.ts).
// Compiled with mlp-kernel.as into one module (build.mjs).
//
// Layout: FOUR SAMPLES PER VECTOR. An activation of m values per sample (NHWC order: the value
// (y, x, c) of an [h, w, c] map is element (y w + x) c_count + c) is, for a group of four
// samples, m consecutive f32x4 vectors whose lanes are the four samples. Every op is then the
// scalar formula with vectors, whatever its shape: weights are broadcast (load32_splat), no
// transposes, no channel padding; the final logits of a group are exactly the strips that
// crossEntropy / meanSquaredError read ([N/4, classes, 4]). A group's activations (the digits
// CNN: 1,568 vectors at most, 25 KB) stay in L1 through all the ops.
//
// The program: `nops` records of 16 i32 at `prog`, one per op (fields below; "Off" fields are
// float offsets into the point's parameter vector, -1 for none; "Ptr" fields are byte pointers
// to scratch the host laid out). Ops read `src` and write `dst` (act and bn work in place).
//
// Exactness: the same products and sums as the per-point path up to the order of float32 sums,
// except the Winograd convolution (below), which is exact in real arithmetic and rounds
// differently (its transforms only add and halve): the host's tests hold it within 1e-5 of the
// per-point path.

import { activateRange, LINEAR, mad, RELU } from "./mlp-kernel";

const OP_ACT: i32 = 1; // [1, count, act]
const OP_POOL: i32 = 2; // [2, h, w, c, ph, pw, sh, sw, top, left, oh, ow]
const OP_CONV: i32 = 3; // [3, h, w, ci, kh, kw, sh, sw, top, left, oh, ow, co, kernelOff, biasOff, act]
const OP_WINO: i32 = 4; // [4, h, w, ci, top, left, oh, ow, co, kernelOff, biasOff, act, uPtr, vPtr, mPtr, pool2]
const OP_DENSE: i32 = 5; // [5, positions, in, out, kernelOff, biasOff, act]
const OP_COMBINE_POOL: i32 = 7; // [7, then OP_POOL's fields, then act (RELU: fused, else 0)]: only as the first op
const OP_BN: i32 = 6; // [6, positions, c, meanPtr, varPtr, epsilon (f32 bits), gammaOff, betaOff, scalePtr, shiftPtr]

// @ts-ignore: decorator
@inline function field(op: usize, i: i32): i32 {
  return load<i32>(op + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function splatParam(params: usize, index: i32): v128 {
  return v128.load32_splat(params + (<usize>index << 2));
}

/**
 * dst[n4/4, m, 4] = src[n, m] (row-major) in groups of four samples, the lanes past n zero:
 * the first layer's outputs S_k and the data into the kernel's layout.
 */
export function toGroups(dst: usize, src: usize, n: i32, m: i32): void {
  const groups = (n + 3) >> 2;
  for (let g = 0; g < groups; g++) {
    const d = dst + <usize>g * (<usize>m << 4);
    for (let lane = 0; lane < 4; lane++) {
      const r = (g << 2) + lane;
      if (r < n) {
        const s = src + <usize>r * (<usize>m << 2);
        for (let j = 0; j < m; j++) store<f32>(d + (<usize>j << 4) + (<usize>lane << 2), load<f32>(s + (<usize>j << 2)));
      } else {
        for (let j = 0; j < m; j++) store<f32>(d + (<usize>j << 4) + (<usize>lane << 2), 0);
      }
    }
  }
}

/**
 * The forms of a parameter vector the ops read: with `winograd`, each Winograd conv's transformed
 * kernel U = G g G^T ([16, ci, co] floats at the op's uPtr; F(2x2, 3x3), Lavin and Gray 2016),
 * and always each BatchNorm's scale gamma / sqrt(var + eps) and shift beta. U is linear in the
 * kernel, so the host transforms theta's and the directions' kernels once and forms a point's U
 * as their combination (then calls this with winograd = 0, once per point and block of samples);
 * the BN scale is not (without gamma it is a constant), so it is formed at every point.
 *
 * G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]; g[ky][kx] = W[ky, kx, c, o].
 */
export function preparePoint(prog: usize, nops: i32, params: usize, winograd: i32): void {
  for (let i = 0; i < nops; i++) {
    const op = prog + (<usize>i << 6);
    const code = field(op, 0);
    if (code == OP_WINO && winograd != 0) {
      const ci = field(op, 3);
      const co = field(op, 8);
      const w = params + (<usize>field(op, 9) << 2);
      const u = <usize>field(op, 12);
      const stride = <usize>(ci * co) << 2; // bytes between kernel taps (and between U's xi)
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) {
          const at = <usize>(c * co + o) << 2;
          // Rows of g (ky), each three taps (kx).
          const g00 = load<f32>(w + at), g01 = load<f32>(w + stride + at), g02 = load<f32>(w + 2 * stride + at);
          const g10 = load<f32>(w + 3 * stride + at), g11 = load<f32>(w + 4 * stride + at), g12 = load<f32>(w + 5 * stride + at);
          const g20 = load<f32>(w + 6 * stride + at), g21 = load<f32>(w + 7 * stride + at), g22 = load<f32>(w + 8 * stride + at);
          // Gg: 4 x 3.
          const a0 = g00, a1 = g01, a2 = g02;
          const b0 = (g00 + g10 + g20) * 0.5, b1 = (g01 + g11 + g21) * 0.5, b2 = (g02 + g12 + g22) * 0.5;
          const c0 = (g00 - g10 + g20) * 0.5, c1 = (g01 - g11 + g21) * 0.5, c2 = (g02 - g12 + g22) * 0.5;
          const d0 = g20, d1 = g21, d2 = g22;
          // (Gg) G^T: each row (p, q, r) -> (p, (p + q + r) / 2, (p - q + r) / 2, r).
          store<f32>(u + 0 * stride + at, a0);
          store<f32>(u + 1 * stride + at, (a0 + a1 + a2) * 0.5);
          store<f32>(u + 2 * stride + at, (a0 - a1 + a2) * 0.5);
          store<f32>(u + 3 * stride + at, a2);
          store<f32>(u + 4 * stride + at, b0);
          store<f32>(u + 5 * stride + at, (b0 + b1 + b2) * 0.5);
          store<f32>(u + 6 * stride + at, (b0 - b1 + b2) * 0.5);
          store<f32>(u + 7 * stride + at, b2);
          store<f32>(u + 8 * stride + at, c0);
          store<f32>(u + 9 * stride + at, (c0 + c1 + c2) * 0.5);
          store<f32>(u + 10 * stride + at, (c0 - c1 + c2) * 0.5);
          store<f32>(u + 11 * stride + at, c2);
          store<f32>(u + 12 * stride + at, d0);
          store<f32>(u + 13 * stride + at, (d0 + d1 + d2) * 0.5);
          store<f32>(u + 14 * stride + at, (d0 - d1 + d2) * 0.5);
          store<f32>(u + 15 * stride + at, d2);
        }
      }
    } else if (code == OP_BN) {
      const c = field(op, 2);
      const variance = <usize>field(op, 4);
      const eps = reinterpret<f32>(field(op, 5));
      const gammaOff = field(op, 6);
      const betaOff = field(op, 7);
      const scale = <usize>field(op, 8);
      const shift = <usize>field(op, 9);
      for (let j = 0; j < c; j++) {
        const q = <usize>j << 2;
        // The order of layersForward's evaluation-mode formula: (x - mean) * (gamma / sqrt(var + eps)) + beta.
        const root = Mathf.sqrt(load<f32>(variance + q) + eps);
        const gamma: f32 = gammaOff >= 0 ? load<f32>(params + (<usize>(gammaOff + j) << 2)) : 1;
        store<f32>(scale + q, gammaOff >= 0 ? gamma / root : <f32>1 / root);
        store<f32>(shift + q, betaOff >= 0 ? load<f32>(params + (<usize>(betaOff + j) << 2)) : 0);
      }
    }
  }
}

/** Copies `bytes` (a multiple of 16) as vectors: memory.copy of a few vectors is a runtime call in V8. */
// @ts-ignore: decorator
@inline function copyVectors(dst: usize, src: usize, bytes: usize): void {
  for (let q: usize = 0; q < bytes; q += 16) v128.store(dst + q, v128.load(src + q));
}

/** dst = S_0 + sum_j c_j S_j over m vectors (the first layer's output at the point). */
function combine(dst: usize, s: usize, sk: usize, m: i32, k: i32, coords: usize): void {
  const bytes = <usize>m << 4;
  if (k == 2) {
    const c1 = v128.load32_splat(coords);
    const c2 = v128.load32_splat(coords + 4);
    const s1 = s + sk;
    const s2 = s1 + sk;
    for (let i: usize = 0; i < bytes; i += 16) {
      v128.store(dst + i, mad(c2, v128.load(s2 + i), mad(c1, v128.load(s1 + i), v128.load(s + i))));
    }
    return;
  }
  copyVectors(dst, s, bytes);
  for (let j = 0; j < k; j++) {
    const c = v128.load32_splat(coords + (<usize>j << 2));
    const d = s + <usize>(j + 1) * sk;
    for (let i: usize = 0; i < bytes; i += 16) v128.store(dst + i, mad(c, v128.load(d + i), v128.load(dst + i)));
  }
}

/**
 * Max pooling (tfjs semantics: windows clipped at the borders, "same" padding never wins). For
 * each output position the window's rows and columns are visited in turn, each a run of c
 * contiguous channel vectors maxed into the output's c vectors.
 */
function maxPool(op: usize, src: usize, dst: usize): void {
  const h = field(op, 1), w = field(op, 2), c = field(op, 3), ph = field(op, 4), pw = field(op, 5);
  const sh = field(op, 6), sw = field(op, 7), top = field(op, 8), left = field(op, 9);
  const oh = field(op, 10), ow = field(op, 11);
  const cB = <usize>c << 4;
  const inf = f32x4.splat(-Infinity);
  let out = dst;
  for (let oy = 0; oy < oh; oy++) {
    const y0 = max(0, oy * sh - top), y1 = min(h, oy * sh - top + ph);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - left), x1 = min(w, ox * sw - left + pw);
      for (let q: usize = 0; q < cB; q += 16) v128.store(out + q, inf);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = src + <usize>(y * w + x) * cB;
          for (let q: usize = 0; q < cB; q += 16) v128.store(out + q, f32x4.max(v128.load(out + q), v128.load(p + q)));
        }
      }
      out += cB;
    }
  }
}

/**
 * The first layer's output at the point, max-pooled, in one pass (OP_COMBINE_POOL, the program's
 * first op when the plan pools right after the first layer): out = max over the window of
 * S_0 + sum_j c_j S_j, never storing the unpooled map, then relu when field 12 says so (a
 * relu after the pool, fused). Fields as OP_POOL's.
 */
function combinePool(op: usize, s: usize, sk: usize, k: i32, coords: usize, dst: usize): void {
  const h = field(op, 1), w = field(op, 2), c = field(op, 3), ph = field(op, 4), pw = field(op, 5);
  const sh = field(op, 6), sw = field(op, 7), top = field(op, 8), left = field(op, 9);
  const oh = field(op, 10), ow = field(op, 11);
  const cB = <usize>c << 4;
  const inf = f32x4.splat(-Infinity);
  const c1 = v128.load32_splat(coords);
  const c2 = k > 1 ? v128.load32_splat(coords + 4) : f32x4.splat(0);
  const relu = field(op, 12) == RELU;
  let out = dst;
  if (k == 2 && ph == 2 && pw == 2 && sh == 2 && sw == 2 && top == 0 && left == 0 && oh * 2 <= h && ow * 2 <= w) {
    // The digits CNN's case: 2x2 windows, stride 2, none clipped at the border, a plane. The four
    // window values of a channel are combined and maxed in registers.
    const rowB = <usize>w * cB;
    const zero = f32x4.splat(0);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const p00 = s + <usize>((oy * w + ox) << 1) * cB;
        const p10 = p00 + rowB;
        for (let q: usize = 0; q < cB; q += 16) {
          const a = p00 + q, b = a + cB, d = p10 + q, e = d + cB;
          const va = mad(c2, v128.load(a + 2 * sk), mad(c1, v128.load(a + sk), v128.load(a)));
          const vb = mad(c2, v128.load(b + 2 * sk), mad(c1, v128.load(b + sk), v128.load(b)));
          const vd = mad(c2, v128.load(d + 2 * sk), mad(c1, v128.load(d + sk), v128.load(d)));
          const ve = mad(c2, v128.load(e + 2 * sk), mad(c1, v128.load(e + sk), v128.load(e)));
          let m = f32x4.max(f32x4.max(va, vb), f32x4.max(vd, ve));
          if (relu) m = f32x4.pmax(m, zero);
          v128.store(out + q, m);
        }
        out += cB;
      }
    }
    return;
  }
  for (let oy = 0; oy < oh; oy++) {
    const y0 = max(0, oy * sh - top), y1 = min(h, oy * sh - top + ph);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - left), x1 = min(w, ox * sw - left + pw);
      for (let q: usize = 0; q < cB; q += 16) v128.store(out + q, inf);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = s + <usize>(y * w + x) * cB;
          if (k == 2) {
            const p1 = p + sk, p2 = p1 + sk;
            for (let q: usize = 0; q < cB; q += 16) {
              const v = mad(c2, v128.load(p2 + q), mad(c1, v128.load(p1 + q), v128.load(p + q)));
              v128.store(out + q, f32x4.max(v128.load(out + q), v));
            }
          } else {
            for (let q: usize = 0; q < cB; q += 16) {
              let v = v128.load(p + q);
              for (let j = 0; j < k; j++) {
                v = mad(v128.load32_splat(coords + (<usize>j << 2)), v128.load(p + <usize>(j + 1) * sk + q), v);
              }
              v128.store(out + q, f32x4.max(v128.load(out + q), v));
            }
          }
        }
      }
      out += cB;
    }
  }
  if (relu) activateRange(dst, oh * ow * c, RELU, 0);
}

/**
 * Direct convolution (any kernel size, stride and padding): for each output position, blocks of
 * eight output channels with eight accumulators (then single channels), the input vector loaded
 * once per tap and multiplied by eight broadcast weights. W is [kh, kw, ci, co] as tfjs stores it.
 */
function conv(op: usize, src: usize, dst: usize, params: usize): void {
  const h = field(op, 1), w = field(op, 2), ci = field(op, 3), kh = field(op, 4), kw = field(op, 5);
  const sh = field(op, 6), sw = field(op, 7), top = field(op, 8), left = field(op, 9);
  const oh = field(op, 10), ow = field(op, 11), co = field(op, 12);
  const kernel = params + (<usize>field(op, 13) << 2);
  const biasOff = field(op, 14);
  const coB = <usize>co << 2;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const out = dst + (<usize>((oy * ow + ox) * co) << 4);
      let o = 0;
      for (; o + 8 <= co; o += 8) {
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        if (biasOff >= 0) {
          const b = params + (<usize>(biasOff + o) << 2);
          a0 = v128.load32_splat(b); a1 = v128.load32_splat(b, 4); a2 = v128.load32_splat(b, 8); a3 = v128.load32_splat(b, 12);
          a4 = v128.load32_splat(b, 16); a5 = v128.load32_splat(b, 20); a6 = v128.load32_splat(b, 24); a7 = v128.load32_splat(b, 28);
        }
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh - top + ky;
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const x = ox * sw - left + kx;
            if (x < 0 || x >= w) continue;
            const xin = src + (<usize>((y * w + x) * ci) << 4);
            let wp = kernel + (<usize>((ky * kw + kx) * ci) * coB) + (<usize>o << 2);
            for (let c = 0; c < ci; c++) {
              const v = v128.load(xin + (<usize>c << 4));
              a0 = mad(v, v128.load32_splat(wp), a0);
              a1 = mad(v, v128.load32_splat(wp, 4), a1);
              a2 = mad(v, v128.load32_splat(wp, 8), a2);
              a3 = mad(v, v128.load32_splat(wp, 12), a3);
              a4 = mad(v, v128.load32_splat(wp, 16), a4);
              a5 = mad(v, v128.load32_splat(wp, 20), a5);
              a6 = mad(v, v128.load32_splat(wp, 24), a6);
              a7 = mad(v, v128.load32_splat(wp, 28), a7);
              wp += coB;
            }
          }
        }
        const q = out + (<usize>o << 4);
        v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
        v128.store(q, a4, 64); v128.store(q, a5, 80); v128.store(q, a6, 96); v128.store(q, a7, 112);
      }
      for (; o < co; o++) {
        let a = biasOff >= 0 ? splatParam(params, biasOff + o) : f32x4.splat(0);
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh - top + ky;
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const x = ox * sw - left + kx;
            if (x < 0 || x >= w) continue;
            const xin = src + (<usize>((y * w + x) * ci) << 4);
            let wp = kernel + (<usize>((ky * kw + kx) * ci) * coB) + (<usize>o << 2);
            for (let c = 0; c < ci; c++) {
              a = mad(v128.load(xin + (<usize>c << 4)), v128.load32_splat(wp), a);
              wp += coB;
            }
          }
        }
        v128.store(out + (<usize>o << 4), a);
      }
    }
  }
}

/**
 * Dense layer on the last axis: for each of `positions` rows, out[o] = b[o] + sum_i x[i] W[i, o]
 * (W [in, out] as tfjs stores it), eight outputs at a time, then single ones.
 */
function dense(op: usize, src: usize, dst: usize, params: usize): void {
  const positions = field(op, 1), inW = field(op, 2), outW = field(op, 3);
  const kernel = params + (<usize>field(op, 4) << 2);
  const biasOff = field(op, 5);
  const outB = <usize>outW << 2;
  for (let p = 0; p < positions; p++) {
    const xin = src + (<usize>(p * inW) << 4);
    const out = dst + (<usize>(p * outW) << 4);
    let o = 0;
    for (; o + 8 <= outW; o += 8) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      if (biasOff >= 0) {
        const b = params + (<usize>(biasOff + o) << 2);
        a0 = v128.load32_splat(b); a1 = v128.load32_splat(b, 4); a2 = v128.load32_splat(b, 8); a3 = v128.load32_splat(b, 12);
        a4 = v128.load32_splat(b, 16); a5 = v128.load32_splat(b, 20); a6 = v128.load32_splat(b, 24); a7 = v128.load32_splat(b, 28);
      }
      let wp = kernel + (<usize>o << 2);
      for (let i = 0; i < inW; i++) {
        const v = v128.load(xin + (<usize>i << 4));
        a0 = mad(v, v128.load32_splat(wp), a0);
        a1 = mad(v, v128.load32_splat(wp, 4), a1);
        a2 = mad(v, v128.load32_splat(wp, 8), a2);
        a3 = mad(v, v128.load32_splat(wp, 12), a3);
        a4 = mad(v, v128.load32_splat(wp, 16), a4);
        a5 = mad(v, v128.load32_splat(wp, 20), a5);
        a6 = mad(v, v128.load32_splat(wp, 24), a6);
        a7 = mad(v, v128.load32_splat(wp, 28), a7);
        wp += outB;
      }
      const q = out + (<usize>o << 4);
      v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
      v128.store(q, a4, 64); v128.store(q, a5, 80); v128.store(q, a6, 96); v128.store(q, a7, 112);
    }
    for (; o < outW; o++) {
      let a = biasOff >= 0 ? splatParam(params, biasOff + o) : f32x4.splat(0);
      let wp = kernel + (<usize>o << 2);
      for (let i = 0; i < inW; i++) {
        a = mad(v128.load(xin + (<usize>i << 4)), v128.load32_splat(wp), a);
        wp += outB;
      }
      v128.store(out + (<usize>o << 4), a);
    }
  }
}

/**
 * The dense layer on two groups at once (out = b + x W for each): two groups times four outputs
 * in eight accumulators, each broadcast weight used twice (one group with eight outputs needs a
 * broadcast per multiply-add, and broadcasts compete with the multiply-adds for the vector pipes;
 * three groups times four outputs, twelve accumulators, leave the 16 vector registers of x64 too
 * few: measured 7% slower on a whole surface of the digits CNN). Outputs past the last four, one
 * at a time. a, b: the two groups' inputs; ya, yb: their outputs.
 */
function denseTwo(op: usize, a: usize, b: usize, ya: usize, yb: usize, params: usize): void {
  const positions = field(op, 1), inW = field(op, 2), outW = field(op, 3);
  const kernel = params + (<usize>field(op, 4) << 2);
  const biasOff = field(op, 5);
  const outB = <usize>outW << 2;
  const zero = f32x4.splat(0);
  for (let p = 0; p < positions; p++) {
    const xin = <usize>(p * inW) << 4;
    const out = <usize>(p * outW) << 4;
    let o = 0;
    for (; o + 4 <= outW; o += 4) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (biasOff >= 0) {
        const bp = params + (<usize>(biasOff + o) << 2);
        a0 = v128.load32_splat(bp); a1 = v128.load32_splat(bp, 4); a2 = v128.load32_splat(bp, 8); a3 = v128.load32_splat(bp, 12);
      }
      let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      let wp = kernel + (<usize>o << 2);
      let q = xin;
      for (let i = 0; i < inW; i++) {
        const va = v128.load(a + q), vb = v128.load(b + q);
        let w = v128.load32_splat(wp);
        a0 = mad(va, w, a0); b0 = mad(vb, w, b0);
        w = v128.load32_splat(wp, 4);
        a1 = mad(va, w, a1); b1 = mad(vb, w, b1);
        w = v128.load32_splat(wp, 8);
        a2 = mad(va, w, a2); b2 = mad(vb, w, b2);
        w = v128.load32_splat(wp, 12);
        a3 = mad(va, w, a3); b3 = mad(vb, w, b3);
        wp += outB;
        q += 16;
      }
      const r = out + (<usize>o << 4);
      v128.store(ya + r, a0); v128.store(ya + r, a1, 16); v128.store(ya + r, a2, 32); v128.store(ya + r, a3, 48);
      v128.store(yb + r, b0); v128.store(yb + r, b1, 16); v128.store(yb + r, b2, 32); v128.store(yb + r, b3, 48);
    }
    for (; o < outW; o++) {
      const b0 = biasOff >= 0 ? splatParam(params, biasOff + o) : zero;
      let sa = b0, sb = b0;
      let wp = kernel + (<usize>o << 2);
      let q = xin;
      for (let i = 0; i < inW; i++) {
        const w = v128.load32_splat(wp);
        sa = mad(v128.load(a + q), w, sa); sb = mad(v128.load(b + q), w, sb);
        wp += outB;
        q += 16;
      }
      const r = out + (<usize>o << 4);
      v128.store(ya + r, sa); v128.store(yb + r, sb);
    }
  }
}

/** BatchNormalization in evaluation mode, in place: (x - mean) * scale + shift per channel. */
function batchNorm(op: usize, buf: usize): void {
  const positions = field(op, 1), c = field(op, 2);
  const mean = <usize>field(op, 3);
  const scale = <usize>field(op, 8), shift = <usize>field(op, 9);
  let q = buf;
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < c; j++) {
      const at = <usize>j << 2;
      const y = f32x4.mul(f32x4.sub(v128.load(q), v128.load32_splat(mean + at)), v128.load32_splat(scale + at));
      v128.store(q, f32x4.add(y, v128.load32_splat(shift + at)));
      q += 16;
    }
  }
}

/**
 * The 3x3, stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs is
 *   Y = A^T [ sum_c U_c (.) V_c ] A,   U = G g G^T (preparePoint),   V = B^T d B,
 * d the 4x4 input patch (zero outside the map): 16 products per output pair of channels and 2x2
 * block instead of 36. With
 *   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
 *   A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].
 * The input is first copied into a zero-padded map (vPtr, after V), so no patch has a border
 * case. Blocks go two at a time: V [2, 16, ci] vectors (vPtr), then for each xi the sums
 * M[t, xi, o] = sum_c V[t, xi, c] U[xi, c, o] with two blocks times four output channels in
 * eight accumulators (each V load used four times, each broadcast U twice; three blocks, twelve
 * accumulators, spill on x64's 16 vector registers: 13% slower on the digits CNN), a lone last
 * block eight channels at a time, into mPtr [2, 16, co], then A^T M A, bias and (relu) activation, written where the block lies inside the
 * oh x ow output. With pool2 (the host fuses a 2x2 / stride-2 "valid" max pool that follows; oh
 * and ow even) each block is one pooling window: only its max is written, to the
 * (oh / 2) x (ow / 2) output.
 */
export function winograd(op: usize, src: usize, dst: usize, params: usize): void {
  const h = field(op, 1), w = field(op, 2), ci = field(op, 3), top = field(op, 4), left = field(op, 5);
  const oh = field(op, 6), ow = field(op, 7), co = field(op, 8);
  const biasOff = field(op, 10), act = field(op, 11);
  const u = <usize>field(op, 12), vbuf = <usize>field(op, 13), mbuf = <usize>field(op, 14);
  const pool2 = field(op, 15) != 0;
  const zero = f32x4.splat(0);
  const ciB = <usize>ci << 4; // bytes between V's xi
  const vTile = ciB << 4; // bytes between V's blocks: 16 ci vectors
  const mTile = <usize>co << 8; // bytes between M's blocks: 16 co vectors
  const uStride = <usize>(ci * co) << 2; // bytes between U's xi
  const coB = <usize>co << 2;
  const th = (oh + 1) >> 1, tw = (ow + 1) >> 1;
  const tiles = th * tw;

  // The zero-padded input, (2 th + 2) x (2 tw + 2) x ci vectors, after V's 2 x 16 x ci.
  const pad = vbuf + <usize>(2 * 16 * ci) * 16;
  const ph = th * 2 + 2, pw = tw * 2 + 2;
  const rowB = <usize>(pw * ci) << 4;
  for (let py = 0; py < ph; py++) {
    const y = py - top;
    for (let px = 0; px < pw; px++) {
      const x = px - left;
      const dstP = pad + (<usize>((py * pw + px) * ci) << 4);
      if (y >= 0 && y < h && x >= 0 && x < w) copyVectors(dstP, src + (<usize>((y * w + x) * ci) << 4), ciB);
      else for (let q: usize = 0; q < ciB; q += 16) v128.store(dstP + q, zero);
    }
  }

  for (let t0 = 0; t0 < tiles; t0 += 2) {
    const nt = min(2, tiles - t0);
    // V = B^T d B of each block and input channel.
    for (let t = 0; t < nt; t++) {
      const ty = ((t0 + t) / tw) << 1, tx = ((t0 + t) % tw) << 1;
      const vt = vbuf + <usize>t * vTile;
      for (let c = 0; c < ci; c++) {
        const p = pad + (<usize>((ty * pw + tx) * ci + c) << 4);
        const d00 = v128.load(p), d01 = v128.load(p + ciB), d02 = v128.load(p + 2 * ciB), d03 = v128.load(p + 3 * ciB);
        const p1 = p + rowB;
        const d10 = v128.load(p1), d11 = v128.load(p1 + ciB), d12 = v128.load(p1 + 2 * ciB), d13 = v128.load(p1 + 3 * ciB);
        const p2 = p1 + rowB;
        const d20 = v128.load(p2), d21 = v128.load(p2 + ciB), d22 = v128.load(p2 + 2 * ciB), d23 = v128.load(p2 + 3 * ciB);
        const p3 = p2 + rowB;
        const d30 = v128.load(p3), d31 = v128.load(p3 + ciB), d32 = v128.load(p3 + 2 * ciB), d33 = v128.load(p3 + 3 * ciB);
        // Rows: B^T d.
        const r00 = f32x4.sub(d00, d20), r01 = f32x4.sub(d01, d21), r02 = f32x4.sub(d02, d22), r03 = f32x4.sub(d03, d23);
        const r10 = f32x4.add(d10, d20), r11 = f32x4.add(d11, d21), r12 = f32x4.add(d12, d22), r13 = f32x4.add(d13, d23);
        const r20 = f32x4.sub(d20, d10), r21 = f32x4.sub(d21, d11), r22 = f32x4.sub(d22, d12), r23 = f32x4.sub(d23, d13);
        const r30 = f32x4.sub(d10, d30), r31 = f32x4.sub(d11, d31), r32 = f32x4.sub(d12, d32), r33 = f32x4.sub(d13, d33);
        // Columns: (B^T d) B, stored at V[t, xi = 4 row + col, c].
        const v = vt + (<usize>c << 4);
        v128.store(v, f32x4.sub(r00, r02)); v128.store(v + ciB, f32x4.add(r01, r02));
        v128.store(v + 2 * ciB, f32x4.sub(r02, r01)); v128.store(v + 3 * ciB, f32x4.sub(r01, r03));
        v128.store(v + 4 * ciB, f32x4.sub(r10, r12)); v128.store(v + 5 * ciB, f32x4.add(r11, r12));
        v128.store(v + 6 * ciB, f32x4.sub(r12, r11)); v128.store(v + 7 * ciB, f32x4.sub(r11, r13));
        v128.store(v + 8 * ciB, f32x4.sub(r20, r22)); v128.store(v + 9 * ciB, f32x4.add(r21, r22));
        v128.store(v + 10 * ciB, f32x4.sub(r22, r21)); v128.store(v + 11 * ciB, f32x4.sub(r21, r23));
        v128.store(v + 12 * ciB, f32x4.sub(r30, r32)); v128.store(v + 13 * ciB, f32x4.add(r31, r32));
        v128.store(v + 14 * ciB, f32x4.sub(r32, r31)); v128.store(v + 15 * ciB, f32x4.sub(r31, r33));
      }
    }
    // M[t, xi, o] = sum_c V[t, xi, c] U[xi, c, o].
    for (let xi = 0; xi < 16; xi++) {
      const vx = vbuf + <usize>xi * ciB;
      const ux = u + <usize>xi * uStride;
      const mx = mbuf + (<usize>(xi * co) << 4);
      let o = 0;
      if (nt == 2) {
        for (; o + 4 <= co; o += 4) {
          let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
          let up = ux + (<usize>o << 2);
          let vp = vx;
          for (let c = 0; c < ci; c++) {
            const va = v128.load(vp), vb = v128.load(vp + vTile);
            let uu = v128.load32_splat(up);
            a0 = mad(va, uu, a0); b0 = mad(vb, uu, b0);
            uu = v128.load32_splat(up, 4);
            a1 = mad(va, uu, a1); b1 = mad(vb, uu, b1);
            uu = v128.load32_splat(up, 8);
            a2 = mad(va, uu, a2); b2 = mad(vb, uu, b2);
            uu = v128.load32_splat(up, 12);
            a3 = mad(va, uu, a3); b3 = mad(vb, uu, b3);
            up += coB;
            vp += 16;
          }
          const q = mx + (<usize>o << 4);
          v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
          v128.store(q + mTile, b0); v128.store(q + mTile, b1, 16); v128.store(q + mTile, b2, 32); v128.store(q + mTile, b3, 48);
        }
      } else {
        for (; o + 8 <= co; o += 8) {
          let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
          let up = ux + (<usize>o << 2);
          let vp = vx;
          for (let c = 0; c < ci; c++) {
            const va = v128.load(vp);
            a0 = mad(va, v128.load32_splat(up), a0); a1 = mad(va, v128.load32_splat(up, 4), a1);
            a2 = mad(va, v128.load32_splat(up, 8), a2); a3 = mad(va, v128.load32_splat(up, 12), a3);
            a4 = mad(va, v128.load32_splat(up, 16), a4); a5 = mad(va, v128.load32_splat(up, 20), a5);
            a6 = mad(va, v128.load32_splat(up, 24), a6); a7 = mad(va, v128.load32_splat(up, 28), a7);
            up += coB;
            vp += 16;
          }
          const q = mx + (<usize>o << 4);
          v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
          v128.store(q, a4, 64); v128.store(q, a5, 80); v128.store(q, a6, 96); v128.store(q, a7, 112);
        }
      }
      // The rest (output channels past the last four, or eight for a lone block): one sum at a time.
      for (let t = 0; t < nt; t++) {
        for (let j = o; j < co; j++) {
          let a = zero;
          let up = ux + (<usize>j << 2);
          let vp = vx + <usize>t * vTile;
          for (let c = 0; c < ci; c++) {
            a = mad(v128.load(vp), v128.load32_splat(up), a);
            up += coB;
            vp += 16;
          }
          v128.store(mx + <usize>t * mTile + (<usize>j << 4), a);
        }
      }
    }
    // Y = A^T M A per block and output channel, plus bias, activation.
    for (let t = 0; t < nt; t++) {
      const ty = ((t0 + t) / tw) << 1, tx = ((t0 + t) % tw) << 1;
      const rows = min(2, oh - ty), cols = min(2, ow - tx);
      for (let j = 0; j < co; j++) {
        const m = mbuf + <usize>t * mTile + (<usize>j << 4);
        const mB = <usize>co << 4; // bytes between M's xi
        const m00 = v128.load(m), m01 = v128.load(m + mB), m02 = v128.load(m + 2 * mB), m03 = v128.load(m + 3 * mB);
        const m10 = v128.load(m + 4 * mB), m11 = v128.load(m + 5 * mB), m12 = v128.load(m + 6 * mB), m13 = v128.load(m + 7 * mB);
        const m20 = v128.load(m + 8 * mB), m21 = v128.load(m + 9 * mB), m22 = v128.load(m + 10 * mB), m23 = v128.load(m + 11 * mB);
        const m30 = v128.load(m + 12 * mB), m31 = v128.load(m + 13 * mB), m32 = v128.load(m + 14 * mB), m33 = v128.load(m + 15 * mB);
        // Rows: A^T M (2 x 4).
        const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
        const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
        const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        const b = biasOff >= 0 ? splatParam(params, biasOff + j) : zero;
        if (pool2) {
          // The 2x2 block is one window of the 2x2 / stride-2 max pool that follows: its max,
          // then bias and activation (both non-decreasing, so they commute with the max).
          const y0v = f32x4.max(f32x4.add(f32x4.add(s00, s01), s02), f32x4.sub(f32x4.sub(s01, s02), s03));
          const y1v = f32x4.max(f32x4.add(f32x4.add(s10, s11), s12), f32x4.sub(f32x4.sub(s11, s12), s13));
          let y = f32x4.add(f32x4.max(y0v, y1v), b);
          if (act == RELU) y = f32x4.pmax(y, zero);
          v128.store(dst + (<usize>(((ty >> 1) * (ow >> 1) + (tx >> 1)) * co + j) << 4), y);
          continue;
        }
        let y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), b);
        let y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), b);
        let y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), b);
        let y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), b);
        if (act == RELU) {
          y00 = f32x4.pmax(y00, zero); y01 = f32x4.pmax(y01, zero);
          y10 = f32x4.pmax(y10, zero); y11 = f32x4.pmax(y11, zero);
        }
        const out = dst + (<usize>((ty * ow + tx) * co + j) << 4);
        const rowOut = <usize>(ow * co) << 4;
        const colOut = <usize>co << 4;
        v128.store(out, y00);
        if (cols > 1) v128.store(out + colOut, y01);
        if (rows > 1) {
          v128.store(out + rowOut, y10);
          if (cols > 1) v128.store(out + rowOut + colOut, y11);
        }
      }
    }
  }
  if (act != RELU && act != LINEAR) activateRange(dst, pool2 ? (oh >> 1) * (ow >> 1) * co : oh * ow * co, act, 0);
}

/**
 * The forward pass of one point on `groups` groups of four samples, op by op (each op runs on
 * every group before the next op, so its weights stay in L1 while the groups stream past): the
 * first layer's output S_0 + sum_j c_j S_j (S_j at s + j sk, a group's m1 vectors at g m1 16),
 * then the ops, the final outSize vectors of each group to logits + g outSize 16. bufA and bufB
 * hold `groups` activations of `width` vectors each.
 */
export function forward(
  prog: usize,
  nops: i32,
  groups: i32,
  s: usize,
  sk: usize,
  m1: i32,
  k: i32,
  coords: usize,
  params: usize,
  bufA: usize,
  bufB: usize,
  width: i32,
  logits: usize,
  outSize: i32,
): void {
  const groupB = <usize>m1 << 4;
  const widthB = <usize>width << 4;
  let cur = bufA;
  let other = bufB;
  let i = 0;
  if (nops > 0 && field(prog, 0) == OP_COMBINE_POOL) {
    for (let g = 0; g < groups; g++) combinePool(prog, s + <usize>g * groupB, sk, k, coords, cur + <usize>g * widthB);
    i = 1;
  } else {
    for (let g = 0; g < groups; g++) combine(cur + <usize>g * widthB, s + <usize>g * groupB, sk, m1, k, coords);
  }
  cur = runOps(prog, i, nops, groups, params, cur, other, widthB);
  for (let g = 0; g < groups; g++) {
    copyVectors(logits + <usize>g * (<usize>outSize << 4), cur + <usize>g * widthB, <usize>outSize << 4);
  }
}

/**
 * The ops from..nops-1 of the program on `groups` groups (each op runs on every group before the
 * next, so its weights stay in L1 while the groups stream past), starting from the activations in
 * `cur` (a group's at g widthB); `other` is the second buffer. Returns the buffer that holds the
 * last op's output.
 */
export function runOps(
  prog: usize,
  from: i32,
  nops: i32,
  groups: i32,
  params: usize,
  cur: usize,
  other: usize,
  widthB: usize,
): usize {
  for (let i = from; i < nops; i++) {
    const op = prog + (<usize>i << 6);
    const code = field(op, 0);
    if (code == OP_ACT) {
      for (let g = 0; g < groups; g++) activateRange(cur + <usize>g * widthB, field(op, 1), field(op, 2), 0);
      continue;
    }
    if (code == OP_BN) {
      for (let g = 0; g < groups; g++) batchNorm(op, cur + <usize>g * widthB);
      continue;
    }
    let g = 0;
    if (code == OP_DENSE) {
      for (; g + 2 <= groups; g += 2) {
        const src = cur + <usize>g * widthB;
        const dst = other + <usize>g * widthB;
        denseTwo(op, src, src + widthB, dst, dst + widthB, params);
        const act = field(op, 6);
        if (act != LINEAR) for (let t = 0; t < 2; t++) activateRange(dst + <usize>t * widthB, field(op, 1) * field(op, 3), act, 0);
      }
    }
    for (; g < groups; g++) {
      const src = cur + <usize>g * widthB;
      const dst = other + <usize>g * widthB;
      if (code == OP_POOL) maxPool(op, src, dst);
      else if (code == OP_CONV) {
        conv(op, src, dst, params);
        const act = field(op, 15);
        if (act != LINEAR) activateRange(dst, field(op, 10) * field(op, 11) * field(op, 12), act, 0);
      } else if (code == OP_WINO) winograd(op, src, dst, params);
      else if (code == OP_DENSE) {
        dense(op, src, dst, params);
        const act = field(op, 6);
        if (act != LINEAR) activateRange(dst, field(op, 1) * field(op, 3), act, 0);
      } else unreachable();
    }
    const t = cur;
    cur = other;
    other = t;
  }
  return cur;
}
