// AssemblyScript source of the CNN kernel's BLOCK MODE: a block of nearby grid points on the same
// samples, for models whose first layer is followed by a 2x2 max-pool (and relu) and then a 3x3
// Winograd conv with its 2x2 pool fused (the digits CNN's shape). Compiled with cnn-kernel.as into
// one module (build.mjs); the host is ../landscape/wasm-cnn-evaluator.ts (wasm-cnn-blocks.ts).
//
// Why it is exact and less work. Along the plane the first layer's pre-activations are affine in
// the point, S_0 + x S_1 + y S_2, so a pooled value is max_j (S_0j + x S_1j + y S_2j), relu'd:
// piecewise affine, and affine, sel_0 + x sel_1 + y sel_2 (sel = the S of the window entry that
// wins), over every region where the winning entry (or relu's "off") does not change. Over a block
// of points [xc - hx, xc + hx] x [yc - hy, yc + hy] an entry is CERTIFIED when the winner at the
// block's centre stays the winner over the whole box: (w_r - w_j)(x, y) is affine, so its minimum
// over the box is its value at the centre minus |S_1r - S_1j| hx + |S_2r - S_2j| hy. For certified
// entries the second conv's input is z = Z + x B + y C (Z, B, C = sel_0, sel_1, sel_2), and with
// the second conv's weights W = W0 + x W1 + y W2 (theta's and the directions' parts) its output is
// the quadratic
//   K0 + x Kx + y Ky + x^2 Kxx + x y Kxy + y^2 Kyy,
//   K0 = Z*W0 + b0, Kx = B*W0 + Z*W1 + b1, Ky = C*W0 + Z*W2 + b2, Kxx = B*W1, Kxy = B*W2 + C*W1,
//   Kyy = C*W2   (* the convolution),
// nine convolutions (three Winograd convs of Z, B and C against [W0 | W1 | W2]) for a call's first
// block instead of one per point, and for each later block only an update where a winner changed
// (the maps depend on the winners alone). An entry that is not certified (in any of the four
// samples of its vector) is certified again over each row of the block (blockRow) and, where that
// fails too, checked at each point of the row: its true value minus the value the quadratic
// assumed (the centre's winner at the point, from the same affine form of x, so an unchanged
// winner gives exactly 0), times the point's conv weights, is added to the nine outputs it feeds,
// per sample. The outputs are then max-pooled, relu'd, and the rest of the program (Dense layers,
// ...) runs as in the per-point kernel (runOps).
//
// Layouts. Sample-lane vectors (four samples per f32x4) as in cnn-kernel.as everywhere except the
// quadratic's coefficients and the conv's output at a point, which are per sample with OUTPUT
// CHANNELS in the lanes ([lane][position][co]): a correction then touches co / 4 vectors per tap
// for the one sample that changed, not co vectors for all four.

import { activateRange, LINEAR, mad, RELU } from "./mlp-kernel";
import { runOps, winograd } from "./cnn-kernel";

// @ts-ignore: decorator
@inline function field(op: usize, i: i32): i32 {
  return load<i32>(op + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function absv(x: v128): v128 {
  return f32x4.abs(x);
}

/**
 * Per group of four samples (S of group g at s + g m1 16, S_j at + j sk): the centre's winners,
 * the certification over the box, and the six coefficient maps of the second conv's output as a
 * quadratic in the ABSOLUTE point (x, y) for these winners, kmaps + g kStride,
 * [lane][position][co / 4][6][4] floats: with Z = sel_0, B = sel_1, C = sel_2 (the winner's S
 * values, zero where relu is off; zmaps + g zStride, three maps of m0 vectors) and the conv's
 * kernel W0 + x W1 + y W2 (theta's and the directions' parts), the output at (x, y) is
 *   K0 + x Kx + y Ky + x^2 Kxx + x y Kxy + y^2 Kyy,
 *   K0 = Z*W0 + b0, Kx = B*W0 + Z*W1 + b1, Ky = C*W0 + Z*W2 + b2, Kxx = B*W1,
 *   Kxy = B*W2 + C*W1, Kyy = C*W2   (* the convolution).
 * The maps depend on the winners only, not on the block's centre: with `full` they are computed
 * from scratch (three Winograd convs of Z, B and C against the stacked kernel, the op record
 * `stack`: the second conv's geometry with 3 co outputs [W0 | W1 | W2], no bias, no activation,
 * no pool, outputs into `outs`); otherwise they hold the previous block's and only the entries
 * whose winner changed are updated, per lane: (dZ, dB, dC) = new - old, and at each of the nine
 * outputs reading the entry K0 += dZ W0, Kx += dB W0 + dZ W1, Ky += dC W0 + dZ W2, Kxx += dB W1,
 * Kxy += dB W2 + dC W1, Kyy += dC W2 (W at the tap; co / 4 vectors each). Neighbouring blocks
 * share most winners, so this is a fraction of the convs' work.
 * The entries not certified go to lists + g listStride as records of 256 bytes (a header of four
 * i32: see below; then sel_0, sel_1, sel_2 of the centre's winner; then the window's S_0, S_1,
 * S_2 of its four entries), their count to counts[g].
 *
 * prog: the program (op 0 OP_COMBINE_POOL: 2x2 windows, stride 2, none clipped; op 1 the
 * Winograd conv with pool2). box: f32 [xc, yc, hx, hy]. bias: f32 [3, co]: the conv's bias of
 * theta, of d1 and of d2 (zeros without a bias). w0, w1, w2: the conv's kernel in theta and the
 * two directions ([3, 3, c, co]).
 */
export function blockPrepare(
  prog: usize,
  stack: usize,
  groups: i32,
  s: usize,
  sk: usize,
  m1: i32,
  box: usize,
  bias: usize,
  w0: usize,
  w1: usize,
  w2: usize,
  full: bool,
  zmaps: usize,
  zStride: usize,
  outs: usize,
  kmaps: usize,
  kStride: usize,
  lists: usize,
  listStride: usize,
  counts: usize,
): void {
  const w = field(prog, 2), c = field(prog, 3);
  const oh0 = field(prog, 10), ow0 = field(prog, 11);
  const relu = field(prog, 12) == RELU;
  const conv = prog + 64;
  const top = field(conv, 4), left = field(conv, 5);
  const oh = field(conv, 6), ow = field(conv, 7), co = field(conv, 8);
  const nq = oh * ow;
  const co4 = co >> 2;
  const m0 = oh0 * ow0 * c; // the second conv's input: values per sample
  const m0B = <usize>m0 << 4;
  const cB = <usize>c << 4;
  const rowB = <usize>w * cB;
  const laneB = <usize>(nq * co4 * 6) << 4; // bytes of one sample's coefficients
  const tapW = <usize>c * (<usize>co << 2); // bytes between kernel taps
  const xc = v128.load32_splat(box), yc = v128.load32_splat(box, 4);
  const hx = v128.load32_splat(box, 8), hy = v128.load32_splat(box, 12);
  const zero = f32x4.splat(0);
  const outB = <usize>(nq * 3 * co) << 4; // bytes of one stacked conv output
  const outA = outs, outBz = outA + outB, outC = outBz + outB;
  const delta = changes; // scratch: dZ, dB, dC of the entry being updated
  for (let g = 0; g < groups; g++) {
    const sg = s + <usize>g * (<usize>m1 << 4);
    const list = lists + <usize>g * listStride;
    const zg = zmaps + <usize>g * zStride;
    const kg = kmaps + <usize>g * kStride;
    let count = 0;
    let e = 0;
    for (let py = 0; py < oh0; py++) {
      for (let px = 0; px < ow0; px++) {
        const p00 = sg + <usize>((py * w + px) << 1) * cB;
        // The taps of the conv that read entries at (py, px): outputs (py + top - ky, px + left - kx).
        const ky0 = max(0, py + top - oh + 1), ky1 = min(2, py + top);
        const kx0 = max(0, px + left - ow + 1), kx1 = min(2, px + left);
        for (let ch = 0; ch < c; ch++) {
          const a = p00 + (<usize>ch << 4), b = a + cB, d = a + rowB, f = d + cB;
          const a0 = v128.load(a), a1 = v128.load(a + sk), a2 = v128.load(a + 2 * sk);
          const b0 = v128.load(b), b1 = v128.load(b + sk), b2 = v128.load(b + 2 * sk);
          const d0 = v128.load(d), d1 = v128.load(d + sk), d2 = v128.load(d + 2 * sk);
          const f0 = v128.load(f), f1 = v128.load(f + sk), f2 = v128.load(f + 2 * sk);
          const wa = mad(yc, a2, mad(xc, a1, a0)), wb = mad(yc, b2, mad(xc, b1, b0));
          const wd = mad(yc, d2, mad(xc, d1, d0)), wf = mad(yc, f2, mad(xc, f1, f0));
          const m = f32x4.max(f32x4.max(wa, wb), f32x4.max(wd, wf));
          // The winner per lane (the first of a, b, d, f that equals the max).
          let s0 = f0, s1 = f1, s2 = f2;
          let k = f32x4.eq(wd, m);
          s0 = v128.bitselect(d0, s0, k); s1 = v128.bitselect(d1, s1, k); s2 = v128.bitselect(d2, s2, k);
          k = f32x4.eq(wb, m);
          s0 = v128.bitselect(b0, s0, k); s1 = v128.bitselect(b1, s1, k); s2 = v128.bitselect(b2, s2, k);
          k = f32x4.eq(wa, m);
          s0 = v128.bitselect(a0, s0, k); s1 = v128.bitselect(a1, s1, k); s2 = v128.bitselect(a2, s2, k);
          // Certified "on": the winner's margin over each entry stays >= 0 over the box.
          let ok = f32x4.ge(f32x4.sub(f32x4.sub(m, wa), mad(absv(f32x4.sub(s1, a1)), hx, f32x4.mul(absv(f32x4.sub(s2, a2)), hy))), zero);
          ok = v128.and(ok, f32x4.ge(f32x4.sub(f32x4.sub(m, wb), mad(absv(f32x4.sub(s1, b1)), hx, f32x4.mul(absv(f32x4.sub(s2, b2)), hy))), zero));
          ok = v128.and(ok, f32x4.ge(f32x4.sub(f32x4.sub(m, wd), mad(absv(f32x4.sub(s1, d1)), hx, f32x4.mul(absv(f32x4.sub(s2, d2)), hy))), zero));
          ok = v128.and(ok, f32x4.ge(f32x4.sub(f32x4.sub(m, wf), mad(absv(f32x4.sub(s1, f1)), hx, f32x4.mul(absv(f32x4.sub(s2, f2)), hy))), zero));
          if (relu) {
            // ... and the winner stays >= 0 (relu on); or, off: every entry stays <= 0.
            const on = f32x4.gt(m, zero);
            ok = v128.and(ok, f32x4.ge(f32x4.sub(m, mad(absv(s1), hx, f32x4.mul(absv(s2), hy))), zero));
            let off = f32x4.le(f32x4.add(wa, mad(absv(a1), hx, f32x4.mul(absv(a2), hy))), zero);
            off = v128.and(off, f32x4.le(f32x4.add(wb, mad(absv(b1), hx, f32x4.mul(absv(b2), hy))), zero));
            off = v128.and(off, f32x4.le(f32x4.add(wd, mad(absv(d1), hx, f32x4.mul(absv(d2), hy))), zero));
            off = v128.and(off, f32x4.le(f32x4.add(wf, mad(absv(f1), hx, f32x4.mul(absv(f2), hy))), zero));
            ok = v128.bitselect(ok, off, on);
            s0 = v128.and(s0, on); s1 = v128.and(s1, on); s2 = v128.and(s2, on);
          }
          const zp = zg + (<usize>e << 4);
          if (!full) {
            // The lanes whose winner changed since the previous block: update the maps there.
            const z0 = v128.load(zp), z1 = v128.load(zp + m0B), z2 = v128.load(zp + 2 * m0B);
            let lanes = i32x4.bitmask(v128.or(v128.or(f32x4.ne(s0, z0), f32x4.ne(s1, z1)), f32x4.ne(s2, z2)));
            if (lanes != 0) {
              v128.store(delta, f32x4.sub(s0, z0));
              v128.store(delta, f32x4.sub(s1, z1), 16);
              v128.store(delta, f32x4.sub(s2, z2), 32);
              const wt = <usize>ch * (<usize>co << 2);
              do {
                const lane = ctz(lanes);
                lanes &= lanes - 1;
                const lb = <usize>lane << 2;
                const dz = v128.load32_splat(delta + lb), db = v128.load32_splat(delta + lb, 16);
                const dc = v128.load32_splat(delta + lb, 32);
                const kl = kg + <usize>lane * laneB;
                for (let ky = ky0; ky <= ky1; ky++) {
                  for (let kx = kx0; kx <= kx1; kx++) {
                    const q = (py + top - ky) * ow + px + left - kx;
                    let kp = kl + <usize>(q * co4) * 96;
                    let t = <usize>(ky * 3 + kx) * tapW + wt;
                    for (let c4 = 0; c4 < co4; c4++) {
                      const W0 = v128.load(w0 + t), W1 = v128.load(w1 + t), W2 = v128.load(w2 + t);
                      v128.store(kp, mad(dz, W0, v128.load(kp)));
                      v128.store(kp, mad(dz, W1, mad(db, W0, v128.load(kp, 16))), 16);
                      v128.store(kp, mad(dz, W2, mad(dc, W0, v128.load(kp, 32))), 32);
                      v128.store(kp, mad(db, W1, v128.load(kp, 48)), 48);
                      v128.store(kp, mad(dc, W1, mad(db, W2, v128.load(kp, 64))), 64);
                      v128.store(kp, mad(dc, W2, v128.load(kp, 80)), 80);
                      kp += 96;
                      t += 16;
                    }
                  }
                }
              } while (lanes != 0);
            }
          }
          v128.store(zp, s0);
          v128.store(zp + m0B, s1);
          v128.store(zp + 2 * m0B, s2);
          if (!i32x4.all_true(ok)) {
            const r = list + (<usize>count << 8);
            // Header: the entry's index, the conv output (py + top, px + left)'s offset in a
            // sample's output and the entry's channel's offset in a kernel tap (bytes), the taps
            // that land inside the output (ky0, ky1, kx0, kx1, a byte each).
            store<i32>(r, e);
            store<i32>(r, ((py + top) * ow + px + left) * co * 4, 4);
            store<i32>(r, ch * co * 4, 8);
            store<i32>(r, ky0 | (ky1 << 8) | (kx0 << 16) | (kx1 << 24), 12);
            v128.store(r, s0, 16); v128.store(r, s1, 32); v128.store(r, s2, 48);
            // The window's S values, so each point reads the record alone (not S, in L3 by then).
            v128.store(r, a0, 64); v128.store(r, a1, 80); v128.store(r, a2, 96);
            v128.store(r, b0, 112); v128.store(r, b1, 128); v128.store(r, b2, 144);
            v128.store(r, d0, 160); v128.store(r, d1, 176); v128.store(r, d2, 192);
            v128.store(r, f0, 208); v128.store(r, f1, 224); v128.store(r, f2, 240);
            count++;
          }
          e++;
        }
      }
    }
    store<i32>(counts + (<usize>g << 2), count);
    if (!full) continue;

    // Z, B, C against [W0 | W1 | W2]: nine convolutions as three.
    winograd(stack, zg, outA, 0);
    winograd(stack, zg + m0B, outBz, 0);
    winograd(stack, zg + 2 * m0B, outC, 0);

    // The six coefficient maps, per sample with the channels in the lanes.
    const coB = <usize>co << 4;
    for (let q = 0; q < nq; q++) {
      for (let o = 0; o < co; o++) {
        const ta = outA + (<usize>(q * 3 * co + o) << 4);
        const tb = outBz + (<usize>(q * 3 * co + o) << 4);
        const tc = outC + (<usize>(q * 3 * co + o) << 4);
        const bc = v128.load32_splat(bias + (<usize>o << 2));
        const b1 = v128.load32_splat(bias + (<usize>(co + o) << 2));
        const b2 = v128.load32_splat(bias + (<usize>(2 * co + o) << 2));
        const ta0 = v128.load(ta), ta1 = v128.load(ta + coB), ta2 = v128.load(ta + 2 * coB);
        const tb0 = v128.load(tb), tb1 = v128.load(tb + coB), tb2 = v128.load(tb + 2 * coB);
        const tc0 = v128.load(tc), tc1 = v128.load(tc + coB), tc2 = v128.load(tc + 2 * coB);
        const k0 = f32x4.add(ta0, bc);
        const kx = f32x4.add(f32x4.add(tb0, ta1), b1);
        const ky = f32x4.add(f32x4.add(tc0, ta2), b2);
        const kxy = f32x4.add(tb2, tc1);
        // [lane][q][o >> 2][map][o & 3]
        const dst = kg + <usize>((q * co4 + (o >> 2)) * 6) * 16 + (<usize>(o & 3) << 2);
        scatterLanes(dst, laneB, k0);
        scatterLanes(dst + 16, laneB, kx);
        scatterLanes(dst + 32, laneB, ky);
        scatterLanes(dst + 48, laneB, tb1);
        scatterLanes(dst + 64, laneB, kxy);
        scatterLanes(dst + 80, laneB, tc2);
      }
    }
  }
}

/** Scratch for blockPrepare's changed entry: dZ, dB, dC (static data, below the heap base). */
const changes = memory.data(48, 16);

/** The max of a 2x2 window of output vectors at p (columns colO, rows rowO bytes apart). */
// @ts-ignore: decorator
@inline function pool4(p: usize, colO: usize, rowO: usize): v128 {
  return f32x4.max(f32x4.max(v128.load(p), v128.load(p + colO)), f32x4.max(v128.load(p + rowO), v128.load(p + rowO + colO)));
}

/** out[0..16) += d w[0..16): one tap of a correction with 16 output channels. */
// @ts-ignore: decorator
@inline function tap16(op: usize, wp: usize, dv: v128): void {
  v128.store(op, mad(dv, v128.load(wp), v128.load(op)));
  v128.store(op, mad(dv, v128.load(wp, 16), v128.load(op, 16)), 16);
  v128.store(op, mad(dv, v128.load(wp, 32), v128.load(op, 32)), 32);
  v128.store(op, mad(dv, v128.load(wp, 48), v128.load(op, 48)), 48);
}

/** Lane l of v to dst + l laneB (a sample-lane vector into four per-sample arrays). */
// @ts-ignore: decorator
@inline function scatterLanes(dst: usize, laneB: usize, v: v128): void {
  store<f32>(dst, f32x4.extract_lane(v, 0));
  store<f32>(dst + laneB, f32x4.extract_lane(v, 1));
  store<f32>(dst + 2 * laneB, f32x4.extract_lane(v, 2));
  store<f32>(dst + 3 * laneB, f32x4.extract_lane(v, 3));
}

/**
 * A row of the block (points with the same y and x in [x0, x1]), per group:
 * - the quadratic's coefficients in x,
 *     L0 = K0 + y Ky + y^2 Kyy,   L1 = Kx + y Kxy,   L2 = Kxx,
 *   into lmaps + g lStride, [lane][position][co / 4][3][4] floats, so each point of the row
 *   evaluates L0 + x L1 + x^2 L2 (three coefficient loads per vector instead of six);
 * - the ROW'S LIST of the entries not certified over the block (records of `lists`) that are not
 *   certified over the row either, into rows + g rowStride (176 bytes an entry: the record's
 *   header, so a point reads the row's entries alone, then the row's affine forms in x of the window's four values and of the assumed value,
 *     w_j = A_j + x B_j,  A_j = S_0j + y S_2j,  B_j = S_1j;   assumed = A_s + x B_s (from sel),
 *   as [A_a, B_a, A_b, B_b, A_d, B_d, A_f, B_f, A_s, B_s]), their count to rowCounts[g]. An entry is
 *   certified over the row when, in every lane, assumed - w_j >= 0 for each j (and assumed >= 0
 *   under relu) at x0 and at x1: affine in x, so on all of [x0, x1], where z = relu(max_j w_j) is
 *   then assumed (the winner's w is assumed; an off lane's assumed is 0). Decided in float on
 *   the forms each point computes, so where rounding would tip a tie the two values differ by
 *   rounding only.
 */
export function blockRow(
  prog: usize,
  groups: i32,
  point: usize,
  x0: f32,
  x1: f32,
  kmaps: usize,
  kStride: usize,
  lmaps: usize,
  lStride: usize,
  lists: usize,
  listStride: usize,
  counts: usize,
  rows: usize,
  rowStride: usize,
  rowCounts: usize,
): void {
  const relu0 = field(prog, 12) == RELU;
  const conv = prog + 64;
  const vectors = 4 * field(conv, 6) * field(conv, 7) * (field(conv, 8) >> 2);
  const v = load<f32>(point, 4);
  const V = f32x4.splat(v), VV = f32x4.splat(v * v);
  const Y = v128.load32_splat(point, 4);
  const X0 = f32x4.splat(x0), X1 = f32x4.splat(x1);
  const zero = f32x4.splat(0);
  for (let g = 0; g < groups; g++) {
    let kp = kmaps + <usize>g * kStride;
    let lp = lmaps + <usize>g * lStride;
    for (let i = 0; i < vectors; i++) {
      v128.store(lp, mad(VV, v128.load(kp, 80), mad(V, v128.load(kp, 32), v128.load(kp))));
      v128.store(lp, mad(V, v128.load(kp, 64), v128.load(kp, 16)), 16);
      v128.store(lp, v128.load(kp, 48), 32);
      kp += 96;
      lp += 48;
    }
    const list = lists + <usize>g * listStride;
    const count = load<i32>(counts + (<usize>g << 2));
    const row = rows + <usize>g * rowStride;
    let n = 0;
    for (let r = 0; r < count; r++) {
      const rec = list + (<usize>r << 8);
      const as = mad(Y, v128.load(rec, 48), v128.load(rec, 16)), bs = v128.load(rec, 32);
      const to = row + <usize>n * 176;
      v128.store(to, v128.load(rec)); // the record's header (its index, offsets and taps)
      v128.store(to, as, 144);
      v128.store(to, bs, 160);
      // Under relu: assumed >= 0 at both ends (an off lane's assumed is 0: holds).
      let ok = relu0 ? v128.and(f32x4.ge(mad(X0, bs, as), zero), f32x4.ge(mad(X1, bs, as), zero)) : f32x4.eq(zero, zero);
      for (let j: usize = 0; j < 4; j++) {
        const e = rec + 64 + j * 48;
        const aj = mad(Y, v128.load(e, 32), v128.load(e)), bj = v128.load(e, 16);
        v128.store(to + j * 32, aj, 16);
        v128.store(to + j * 32, bj, 32);
        const da = f32x4.sub(as, aj), db = f32x4.sub(bs, bj);
        ok = v128.and(ok, v128.and(f32x4.ge(mad(X0, db, da), zero), f32x4.ge(mad(X1, db, da), zero)));
      }
      n += <i32>!i32x4.all_true(ok);
    }
    store<i32>(rowCounts + (<usize>g << 2), n);
  }
}

/**
 * One point of the block on `groups` groups: the quadratic at (x, y), the corrections of the
 * entries not certified, the 2x2 pool, bias (in K0) and activation, into bufA (sample lanes, the
 * Winograd op's pooled layout), then the program's ops from 2 on (runOps) and the logits
 * (logits + g outSize 16). point: f32 [x, y]. params: the point's parameter vector (the
 * conv's kernel for the corrections, the later layers). out: scratch of 4 oh ow co floats.
 */
export function blockPoint(
  prog: usize,
  nops: i32,
  groups: i32,
  point: usize,
  params: usize,
  lmaps: usize,
  lStride: usize,
  rows: usize,
  rowStride: usize,
  rowCounts: usize,
  out: usize,
  deltas: usize,
  bufA: usize,
  bufB: usize,
  width: i32,
  logits: usize,
  outSize: i32,
): void {
  const c = field(prog, 3);
  const relu0 = field(prog, 12) == RELU;
  const conv = prog + 64;
  const oh = field(conv, 6), ow = field(conv, 7), co = field(conv, 8);
  const kernel = params + (<usize>field(conv, 9) << 2);
  const act = field(conv, 11);
  const nq = oh * ow;
  const co4 = co >> 2;
  const widthB = <usize>width << 4;
  const x = v128.load32_splat(point);
  const idx = deltas + (<usize>(field(prog, 10) * field(prog, 11) * c) << 4); // after m0 vectors
  const uf = load<f32>(point);
  const U = f32x4.splat(uf), UU = f32x4.splat(uf * uf);
  const zero = f32x4.splat(0);
  const laneF = nq * co; // floats of one sample's conv output
  const laneB = <usize>laneF << 2;
  const coB = <usize>co << 2;
  const ph = oh >> 1, pw = ow >> 1;
  for (let g = 0; g < groups; g++) {
    // The quadratic, per sample and four channels: L0 + x L1 + x^2 L2 (blockRow's, for this y).
    let lp = lmaps + <usize>g * lStride;
    let op = out;
    const vectors = 4 * nq * co4;
    for (let i = 0; i < vectors; i++) {
      v128.store(op, mad(UU, v128.load(lp, 32), mad(U, v128.load(lp, 16), v128.load(lp))));
      lp += 48;
      op += 16;
    }
    // The row's entries (blockRow): first each one's value at the point minus the one assumed,
    // delta = relu(max_j (A_j + x B_j)) - (A_s + x B_s), kept (delta vector and the entry's
    // offset in the row, at deltas and idx + n 4) when some lane's is not 0; no branches ...
    const row = rows + <usize>g * rowStride;
    const count = load<i32>(rowCounts + (<usize>g << 2));
    let n = 0;
    for (let i = 0; i < count; i++) {
      const e = row + <usize>i * 176;
      const wa = mad(x, v128.load(e, 32), v128.load(e, 16));
      const wb = mad(x, v128.load(e, 64), v128.load(e, 48));
      const wd = mad(x, v128.load(e, 96), v128.load(e, 80));
      const wf = mad(x, v128.load(e, 128), v128.load(e, 112));
      let z = f32x4.max(f32x4.max(wa, wb), f32x4.max(wd, wf));
      if (relu0) z = f32x4.pmax(z, zero);
      const delta = f32x4.sub(z, mad(x, v128.load(e, 160), v128.load(e, 144)));
      v128.store(deltas + (<usize>n << 4), delta);
      store<i32>(idx + (<usize>n << 2), <i32>(e - row));
      n += <i32>v128.any_true(f32x4.ne(delta, zero));
    }
    // ... then each non-zero delta times the point's conv weights into the outputs that read the
    // entry: out[lane][oy, ox][:] += delta W[ky, kx, ch, :] for (oy, ox) = (iy + top - ky,
    // ix + left - kx).
    const rowO = <usize>ow * coB; // bytes between output rows (of one sample)
    const tapW = <usize>c * coB; // bytes between kernel taps
    for (let i = 0; i < n; i++) {
      const dp = deltas + (<usize>i << 4);
      let lanes = i32x4.bitmask(f32x4.ne(v128.load(dp), zero));
      const rec = row + <usize>load<i32>(idx + (<usize>i << 2)); // the row entry's header
      const wBase = kernel + <usize>load<i32>(rec, 8);
      const taps = load<i32>(rec, 12);
      const ky0 = taps & 255, ky1 = (taps >> 8) & 255, kx0 = (taps >> 16) & 255, kx1 = taps >>> 24;
      const at = out + <usize>load<i32>(rec, 4);
      // Every tap inside the output with 16 channels (the common case): unrolled.
      const whole = taps == 0x02000200 && co4 == 4;
      do {
        const lane = ctz(lanes);
        lanes &= lanes - 1;
        const dv = v128.load32_splat(dp + (<usize>lane << 2));
        const base = at + <usize>lane * laneB;
        if (whole) {
          let orow = base, wrow = wBase;
          for (let ky = 0; ky < 3; ky++) {
            tap16(orow, wrow, dv);
            tap16(orow - coB, wrow + tapW, dv);
            tap16(orow - 2 * coB, wrow + 2 * tapW, dv);
            orow -= rowO;
            wrow += 3 * tapW;
          }
          continue;
        }
        for (let ky = ky0; ky <= ky1; ky++) {
          for (let kx = kx0; kx <= kx1; kx++) {
            const wp = wBase + <usize>(ky * 3 + kx) * tapW;
            const op = base - <usize>ky * rowO - <usize>kx * coB;
            if (co4 == 4) {
              v128.store(op, mad(dv, v128.load(wp), v128.load(op)));
              v128.store(op, mad(dv, v128.load(wp, 16), v128.load(op, 16)), 16);
              v128.store(op, mad(dv, v128.load(wp, 32), v128.load(op, 32)), 32);
              v128.store(op, mad(dv, v128.load(wp, 48), v128.load(op, 48)), 48);
            } else {
              for (let q: usize = 0; q < coB; q += 16) v128.store(op + q, mad(dv, v128.load(wp + q), v128.load(op + q)));
            }
          }
        }
      } while (lanes != 0);
    }
    // The 2x2 pool (each window a 2x2 block of outputs), the activation, into sample lanes: the
    // four samples' maxima of four channels, transposed (channels in the lanes -> samples).
    const dst = bufA + <usize>g * widthB;
    const colO = coB;
    for (let py = 0; py < ph; py++) {
      for (let px = 0; px < pw; px++) {
        const p = out + <usize>(py * 2) * rowO + <usize>(px * 2) * colO;
        const to = dst + (<usize>((py * pw + px) * co) << 4);
        for (let o = 0; o < co; o += 4) {
          const q = p + (<usize>o << 2);
          let m0 = pool4(q, colO, rowO), m1 = pool4(q + laneB, colO, rowO);
          let m2 = pool4(q + 2 * laneB, colO, rowO), m3 = pool4(q + 3 * laneB, colO, rowO);
          if (act == RELU) {
            m0 = f32x4.pmax(m0, zero); m1 = f32x4.pmax(m1, zero);
            m2 = f32x4.pmax(m2, zero); m3 = f32x4.pmax(m3, zero);
          }
          const t0 = v128.shuffle<f32>(m0, m1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(m0, m1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(m2, m3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(m2, m3, 2, 6, 3, 7);
          const t = to + (<usize>o << 4);
          v128.store(t, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(t, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
          v128.store(t, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
          v128.store(t, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
        }
      }
    }
    if (act != RELU && act != LINEAR) activateRange(dst, ph * pw * co, act, 0);
  }
  const last = runOps(prog, 2, nops, groups, params, bufA, bufB, widthB);
  const outB = <usize>outSize << 4;
  for (let g = 0; g < groups; g++) {
    const from = last + <usize>g * widthB, to = logits + <usize>g * outB;
    for (let q: usize = 0; q < outB; q += 16) v128.store(to + q, v128.load(from + q));
  }
}
