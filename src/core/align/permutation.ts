import { assertFinite, assertFlatLength, layoutOffsets } from "../model/layout";
import { isResidualLayer, layerWidths, mlpLayout } from "../model/mlp";
import type { MlpArchitecture } from "../model/types";
import { permutation, type Rng } from "../rng";

/**
 * Permutation symmetry of an MLP (flat vector in the layout of model/mlp.ts: dense_l/kernel
 * [in, out] then dense_l/bias [out], row-major).
 *
 * Hidden layer h (the output of dense_h, h = 0..H-1) can have its units reordered by a
 * permutation p_h without changing the function, provided everything that reads or writes those
 * units is reordered the same way. With the convention "unit i of the permuted model is unit
 * p_h[i] of the original" (git-re-basin's jnp.take(w, perm, axis)):
 *   dense_h/kernel' [r, i] = dense_h/kernel [., p_h[i]]   (columns: incoming weights of unit i)
 *   dense_h/bias'   [i]    = dense_h/bias   [p_h[i]]
 *   dense_{h+1}/kernel' [i, .] = dense_{h+1}/kernel [p_h[i], .]   (rows: outgoing weights)
 * and both axes of a kernel are permuted at once when both touch hidden layers.
 *
 * Residual MLPs: a residual hidden layer h computes h_h = h_{h-1} + act(h_{h-1} W_h + b_h), so
 * the units of h_{h-1} and h_h are the same stream and must share one permutation (then
 * W_h' = P^T W_h P keeps the function). Such layers form one permutation group; a chain of
 * residual layers is one group. permutationGroups lists them.
 */
export function hiddenCount(arch: MlpArchitecture): number {
  return arch.hiddenSizes.length;
}

/**
 * Groups of hidden layers that must share one permutation: consecutive layers joined by a
 * residual connection. A plain MLP has one group per hidden layer.
 *
 * @example permutationGroups(makeArchitecture(2, 2, { hiddenSizes: [8, 8, 8], activation: "relu", residual: true })) // [[0, 1, 2]]
 */
export function permutationGroups(arch: MlpArchitecture): number[][] {
  const groups: number[][] = [];
  for (let h = 0; h < hiddenCount(arch); h++) {
    // dense_h adds its input back: hidden h-1 and hidden h are one stream.
    if (h >= 1 && isResidualLayer(arch, h)) groups[groups.length - 1].push(h);
    else groups.push([h]);
  }
  return groups;
}

/** Throws unless p is a permutation of 0..n-1, naming the layer. */
export function assertPermutation(p: ArrayLike<number>, n: number, what: string): void {
  if (p.length !== n)
    throw new Error(`${what}: a permutation of ${n} units needs ${n} entries, got ${p.length}`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = p[i];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) {
      throw new Error(`${what}: entry ${i} (${v}) makes this not a permutation of 0..${n - 1}`);
    }
    seen[v] = 1;
  }
}

/** Throws unless there is one valid permutation per hidden layer and tied (residual) layers agree. */
export function assertPermutations(arch: MlpArchitecture, perms: readonly ArrayLike<number>[]): void {
  const hidden = hiddenCount(arch);
  if (perms.length !== hidden) {
    throw new Error(`expected one permutation per hidden layer (${hidden}), got ${perms.length}`);
  }
  perms.forEach((p, h) => {
    assertPermutation(p, arch.hiddenSizes[h], `permutation of hidden layer ${h}`);
  });
  for (const group of permutationGroups(arch)) {
    for (const h of group.slice(1)) {
      const a = perms[group[0]];
      const b = perms[h];
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) {
          throw new Error(
            `hidden layers ${group[0]} and ${h} are joined by residual connections and must share one permutation`,
          );
        }
      }
    }
  }
}

/** Identity permutations, one per hidden layer. */
export function identityPermutations(arch: MlpArchitecture): Int32Array[] {
  return arch.hiddenSizes.map((n) => Int32Array.from({ length: n }, (_, i) => i));
}

/**
 * Random permutations respecting the residual groups (one shared permutation per group).
 *
 * @example const perms = randomPermutations(arch, createRng(3));
 */
export function randomPermutations(arch: MlpArchitecture, rng: Rng): Int32Array[] {
  const perms: Int32Array[] = new Array(hiddenCount(arch));
  for (const group of permutationGroups(arch)) {
    const p = permutation(arch.hiddenSizes[group[0]], rng);
    for (const h of group) perms[h] = p.slice();
  }
  return perms;
}

/** The permutations acting on the input and output axes of dense layer l (null: not permuted). */
export function layerAxes(
  arch: MlpArchitecture,
  perms: readonly ArrayLike<number>[],
  l: number,
): [ArrayLike<number> | null, ArrayLike<number> | null] {
  const hidden = hiddenCount(arch);
  return [l >= 1 ? perms[l - 1] : null, l < hidden ? perms[l] : null];
}

/**
 * Apply per-hidden-layer permutations to a flat parameter vector (a new vector; the function of
 * the network is unchanged).
 *
 * @example const same = applyPermutations(arch, theta, randomPermutations(arch, createRng(1)));
 */
export function applyPermutations(
  arch: MlpArchitecture,
  flat: Float32Array,
  perms: readonly ArrayLike<number>[],
): Float32Array {
  const layout = mlpLayout(arch);
  assertFlatLength(flat, layout);
  assertPermutations(arch, perms);
  const offsets = layoutOffsets(layout);
  const widths = layerWidths(arch);
  const out = new Float32Array(flat.length);
  for (let l = 0; l < widths.length - 1; l++) {
    const [pin, pout] = layerAxes(arch, perms, l);
    const rows = widths[l];
    const cols = widths[l + 1];
    const k0 = offsets[2 * l];
    const b0 = offsets[2 * l + 1];
    for (let r = 0; r < rows; r++) {
      const src = k0 + (pin ? pin[r] : r) * cols;
      const dst = k0 + r * cols;
      for (let c = 0; c < cols; c++) out[dst + c] = flat[src + (pout ? pout[c] : c)];
    }
    for (let c = 0; c < cols; c++) out[b0 + c] = flat[b0 + (pout ? pout[c] : c)];
  }
  return out;
}

/**
 * The inverse permutation q with q[p[i]] = i: applying p then the inverses gives the original.
 *
 * @example invertPermutation([2, 0, 1]) // Int32Array [1, 2, 0]
 */
export function invertPermutation(p: ArrayLike<number>): Int32Array {
  assertPermutation(p, p.length, "permutation");
  const q = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) q[p[i]] = i;
  return q;
}

/**
 * The weight-matching objective <theta_a, pi(theta_b)>: the inner product of A with the permuted
 * B over the whole flat vector (float64 sum), which weight matching maximizes (equivalently it
 * minimizes |theta_a - pi(theta_b)|^2, since |pi(theta_b)| = |theta_b|).
 *
 * @example matchingObjective(arch, a, b, identityPermutations(arch))
 */
export function matchingObjective(
  arch: MlpArchitecture,
  a: Float32Array,
  b: Float32Array,
  perms: readonly ArrayLike<number>[],
): number {
  const pb = applyPermutations(arch, b, perms);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * pb[i];
  return s;
}

/** Throws unless a and b are finite parameter vectors of the architecture. */
export function assertModelVectors(arch: MlpArchitecture, a: Float32Array, b: Float32Array): void {
  const layout = mlpLayout(arch);
  assertFlatLength(a, layout, "theta_a");
  assertFlatLength(b, layout, "theta_b");
  assertFinite(a, layout, "theta_a");
  assertFinite(b, layout, "theta_b");
}
