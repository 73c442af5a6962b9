import { munkres } from "munkres";
import { layoutOffsets } from "../model/layout";
import { layerWidths, mlpLayout } from "../model/mlp";
import type { MlpArchitecture } from "../model/types";
import { assertSeed, createRng, permutation } from "../rng";
import {
  applyPermutations,
  assertModelVectors,
  assertPermutations,
  hiddenCount,
  identityPermutations,
  layerAxes,
  matchingObjective,
  permutationGroups,
} from "./permutation";

export interface WeightMatchingOptions {
  /** Orders the coordinate-descent steps. Default 0. */
  seed?: number;
  /** At most this many sweeps over all permutation groups. Default 100. */
  maxSweeps?: number;
  /** A sweep must raise the objective by more than this to continue; a step to be kept. Default 1e-12. */
  tolerance?: number;
  /** Starting permutations (default identity). */
  initial?: readonly ArrayLike<number>[];
}

export interface WeightMatchingResult {
  /**
   * One permutation per hidden layer: unit i of the aligned B is unit perm[i] of B. Residual
   * layers joined into one stream carry identical arrays.
   */
  permutations: Int32Array[];
  /** <theta_a, pi(theta_b)> before the first sweep, then after every sweep (non-decreasing). */
  objective: number[];
  /** Sweeps run. */
  sweeps: number;
  /** True when the last sweep improved the objective by at most the tolerance (a fixed point). */
  converged: boolean;
  seed: number;
  /** pi(flat): applies the permutations to any parameter vector of the architecture. */
  apply(flat: Float32Array): Float32Array;
}

/**
 * Similarity S [n, n] of the permutation group's units in A (rows) and B (columns): the sum over
 * every tensor touching the group's hidden layers of <A slice i, B slice j> along the permuted axis,
 * with B's other axes permuted by the current permutations (git-re-basin's get_permuted_param with
 * except_axis). For a plain MLP and hidden layer h: incoming kernel columns, bias entries and
 * outgoing kernel rows. Float64.
 */
function similarity(
  arch: MlpArchitecture,
  a: Float32Array,
  b: Float32Array,
  perms: readonly Int32Array[],
  group: readonly number[],
  offsets: readonly number[],
  widths: readonly number[],
): Float64Array {
  const n = widths[group[0] + 1];
  const s = new Float64Array(n * n);
  for (const h of group) {
    // Incoming: dense_h kernel [rows, n] columns, and dense_h bias.
    {
      const l = h;
      const rows = widths[l];
      const k0 = offsets[2 * l];
      const [pin] = layerAxes(arch, perms, l);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let r = 0; r < rows; r++) acc += a[k0 + r * n + i] * b[k0 + (pin ? pin[r] : r) * n + j];
          s[i * n + j] += acc;
        }
      }
      const b0 = offsets[2 * l + 1];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] += a[b0 + i] * b[b0 + j];
    }
    // Outgoing: dense_{h+1} kernel [n, cols] rows. Inside a residual group this kernel's columns
    // belong to the same group and are taken at the current permutation.
    {
      const l = h + 1;
      const cols = widths[l + 1];
      const k0 = offsets[2 * l];
      const [, pout] = layerAxes(arch, perms, l);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let c = 0; c < cols; c++)
            acc += a[k0 + i * cols + c] * b[k0 + j * cols + (pout ? pout[c] : c)];
          s[i * n + j] += acc;
        }
      }
    }
  }
  return s;
}

/** The permutation maximizing sum_i S[i, p[i]] (munkres minimizes, so on -S). */
function solveAssignment(s: Float64Array, n: number): Int32Array {
  const cost: Float64Array[] = [];
  for (let i = 0; i < n; i++) cost.push(Float64Array.from(s.subarray(i * n, (i + 1) * n), (v) => -v));
  const p = new Int32Array(n).fill(-1);
  for (const [row, col] of munkres(cost)) p[row] = col;
  return p;
}

/**
 * Permutation alignment by weight matching (Ainsworth, Hayase and Srinivasa 2023, "Git Re-Basin",
 * Algorithm 1; reference: samuela/git-re-basin weight_matching.py). Finds per-hidden-layer
 * permutations pi maximizing <theta_a, pi(theta_b)> (equivalently minimizing
 * |theta_a - pi(theta_b)|) by coordinate descent: each sweep visits the permutation groups in a
 * random order (seeded) and replaces one group's permutation by the solution of a linear assignment
 * problem (munkres) on the similarity of its units, the other permutations held fixed. For a plain
 * MLP each step maximizes the objective exactly over that permutation, so the objective never
 * decreases; in residual groups the problem is quadratic (a kernel is permuted on both axes), the
 * step is git-re-basin's linearization, and a step that would lower the objective is not taken.
 * Stops after a sweep that raised the objective by at most `tolerance`, or after `maxSweeps`.
 * Cost per step: O(n^2 (fan_in + fan_out)) for the similarity and O(n^3) for the assignment.
 *
 * @example const m = weightMatching(arch, thetaA, thetaB, { seed: 0 }); const aligned = m.apply(thetaB);
 */
export function weightMatching(
  arch: MlpArchitecture,
  thetaA: Float32Array,
  thetaB: Float32Array,
  options: WeightMatchingOptions = {},
): WeightMatchingResult {
  assertModelVectors(arch, thetaA, thetaB);
  const seed = options.seed ?? 0;
  assertSeed(seed, "weight matching seed");
  const maxSweeps = options.maxSweeps ?? 100;
  if (!Number.isInteger(maxSweeps) || maxSweeps < 0) {
    throw new Error(`maxSweeps must be an integer >= 0, got ${maxSweeps}`);
  }
  const tolerance = options.tolerance ?? 1e-12;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new Error(`tolerance must be a finite number >= 0, got ${tolerance}`);
  }
  const perms = options.initial ? options.initial.map((p) => Int32Array.from(p)) : identityPermutations(arch);
  assertPermutations(arch, perms);
  const rng = createRng(seed);
  const groups = permutationGroups(arch);
  const widths = layerWidths(arch);
  const offsets = layoutOffsets(mlpLayout(arch));
  let current = matchingObjective(arch, thetaA, thetaB, perms);
  const objective = [current];
  let sweeps = 0;
  let converged = hiddenCount(arch) === 0;

  while (!converged && sweeps < maxSweeps) {
    const start = current;
    for (const g of permutation(groups.length, rng)) {
      const group = groups[g];
      const n = arch.hiddenSizes[group[0]];
      const s = similarity(arch, thetaA, thetaB, perms, group, offsets, widths);
      const candidate = solveAssignment(s, n);
      const old = perms[group[0]];
      if (candidate.every((v, i) => v === old[i])) continue;
      const trial = perms.map((p, h) => (group.includes(h) ? candidate.slice() : p));
      const value = matchingObjective(arch, thetaA, thetaB, trial);
      if (value - current > tolerance) {
        for (const h of group) perms[h] = candidate.slice();
        current = value;
      }
    }
    sweeps += 1;
    objective.push(current);
    if (current - start <= tolerance) converged = true;
  }

  const final = perms.map((p) => p.slice());
  return {
    permutations: final,
    objective,
    sweeps,
    converged,
    seed,
    apply: (flat: Float32Array) => applyPermutations(arch, flat, final),
  };
}
