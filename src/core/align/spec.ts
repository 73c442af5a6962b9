/**
 * Permutation specs (git-re-basin's PermutationSpec: perm_to_axes / axes_to_perm) over named
 * tensors, and weight matching on them. A spec lists permutation groups (the units of a hidden
 * layer, the channels of a conv and of the BatchNorm after it) and, for every tensor, which group
 * moves each of its axes. It describes any network whose symmetry is "reorder these units
 * everywhere they are read or written"; onnx-spec.ts derives one from an ONNX graph.
 *
 * An axis may hold several entries per unit: a Dense kernel after a Flatten of [C, H, W] has
 * C * H * W inputs, H * W per channel. With `inner` m, entry c * m + r of the axis is the r-th
 * entry of unit c, and permuting unit c moves the whole block of m entries.
 *
 * Convention, as permutation.ts and git-re-basin's jnp.take(w, perm, axis): unit i of the
 * permuted tensor is unit perm[i] of the original.
 *
 * @example const m = weightMatchingBySpec(spec, layout, thetaA, thetaB, { seed: 0 }); const aligned = m.apply(thetaB);
 */
import { munkres } from "munkres";
import { assertSeed, createRng, permutation } from "../rng";
import { assertPermutation } from "./permutation";

/** One axis moved by a permutation group, `inner` consecutive entries per unit. */
export interface PermutedAxis {
  perm: number;
  inner: number;
}

export interface PermutationSpec {
  /** The permutation groups: a name for messages and the number of units. */
  perms: { name: string; size: number }[];
  /** Per tensor name, per axis: the group that moves it, or null. Tensors not listed do not move. */
  axes: Record<string, (PermutedAxis | null)[]>;
}

/** A tensor of a flat vector: name and shape, row-major, in vector order. */
export interface SpecTensor {
  name: string;
  shape: readonly number[];
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Throws unless every axis the spec names exists and has perms[p].size * inner entries. */
function checkSpec(spec: PermutationSpec, tensors: readonly SpecTensor[]): void {
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  for (const [name, axes] of Object.entries(spec.axes)) {
    const shape = shapes.get(name);
    if (!shape) continue;
    if (axes.length !== shape.length) {
      throw new Error(`permutation spec: ${name} has ${shape.length} axes, the spec lists ${axes.length}`);
    }
    axes.forEach((a, k) => {
      if (!a) return;
      const group = spec.perms[a.perm];
      if (!group)
        throw new Error(`permutation spec: ${name} axis ${k} names group ${a.perm}, which does not exist`);
      if (group.size * a.inner !== shape[k]) {
        throw new Error(
          `permutation spec: ${name} axis ${k} has ${shape[k]} entries, group ${group.name} moves ${group.size} x ${a.inner}`,
        );
      }
    });
  }
}

/** Throws unless there is one permutation of the right size per group of the spec. */
export function assertSpecPermutations(spec: PermutationSpec, perms: readonly ArrayLike<number>[]): void {
  if (perms.length !== spec.perms.length) {
    throw new Error(`expected one permutation per group (${spec.perms.length}), got ${perms.length}`);
  }
  spec.perms.forEach((g, i) => {
    assertPermutation(perms[i], g.size, `permutation of ${g.name}`);
  });
}

/** For each axis of a tensor, the source index of every destination index (null: unchanged). */
function axisMaps(
  shape: readonly number[],
  axes: readonly (PermutedAxis | null)[] | undefined,
  perms: readonly ArrayLike<number>[],
  except: number,
): (Int32Array | null)[] {
  return shape.map((len, k) => {
    const a = axes?.[k];
    if (!a || k === except) return null;
    const p = perms[a.perm];
    const map = new Int32Array(len);
    for (let i = 0; i < len; i++) map[i] = p[Math.floor(i / a.inner)] * a.inner + (i % a.inner);
    return map;
  });
}

/** out[idx] = values[src(idx)], src applying each axis's map; identity maps are skipped. */
function gather(
  values: Float32Array,
  shape: readonly number[],
  maps: readonly (Int32Array | null)[],
): Float32Array {
  if (maps.every((m) => m === null)) return values.slice();
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let k = rank - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  const out = new Float32Array(values.length);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < values.length; i++) {
    let src = 0;
    for (let k = 0; k < rank; k++)
      src += (maps[k] ? (maps[k] as Int32Array)[index[k]] : index[k]) * strides[k];
    out[i] = values[src];
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

/**
 * One tensor with the spec's permutations applied on every axis it lists.
 *
 * @example permuteTensor(Float32Array.of(1, 2, 3, 4), [2, 2], [null, { perm: 0, inner: 1 }], [[1, 0]]); // [2, 1, 4, 3]
 */
export function permuteTensor(
  values: Float32Array,
  shape: readonly number[],
  axes: readonly (PermutedAxis | null)[] | undefined,
  perms: readonly ArrayLike<number>[],
): Float32Array {
  return gather(values, shape, axisMaps(shape, axes, perms, -1));
}

/** Start of every tensor in the flat vector, and the end. */
function offsets(tensors: readonly SpecTensor[]): number[] {
  const out = [0];
  for (const t of tensors) out.push(out[out.length - 1] + product(t.shape));
  return out;
}

/**
 * pi(flat): every tensor of the flat vector permuted as the spec says. Throws for a vector of the
 * wrong length or bad permutations.
 */
export function applySpecPermutations(
  spec: PermutationSpec,
  tensors: readonly SpecTensor[],
  flat: Float32Array,
  perms: readonly ArrayLike<number>[],
): Float32Array {
  assertSpecPermutations(spec, perms);
  const off = offsets(tensors);
  if (flat.length !== off[off.length - 1]) {
    throw new Error(`expected a vector of ${off[off.length - 1]} values, got ${flat.length}`);
  }
  const out = new Float32Array(flat.length);
  tensors.forEach((t, i) => {
    out.set(permuteTensor(flat.subarray(off[i], off[i + 1]), t.shape, spec.axes[t.name], perms), off[i]);
  });
  return out;
}

/** <a, pi(b)> in float64. */
export function specObjective(
  spec: PermutationSpec,
  tensors: readonly SpecTensor[],
  a: Float32Array,
  b: Float32Array,
  perms: readonly ArrayLike<number>[],
): number {
  const pb = applySpecPermutations(spec, tensors, b, perms);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * pb[i];
  return s;
}

/**
 * S [n, n] of group g: S[i, j] = sum over every tensor axis the group moves of <A's unit i, B's
 * unit j>, B's other axes taken at the current permutations (git-re-basin's get_permuted_param
 * with except_axis). Float64.
 */
function similarity(
  spec: PermutationSpec,
  tensors: readonly SpecTensor[],
  off: readonly number[],
  a: Float32Array,
  b: Float32Array,
  perms: readonly Int32Array[],
  g: number,
): Float64Array {
  const n = spec.perms[g].size;
  const s = new Float64Array(n * n);
  tensors.forEach((t, ti) => {
    const axes = spec.axes[t.name];
    if (!axes) return;
    const ta = a.subarray(off[ti], off[ti + 1]);
    const tb = b.subarray(off[ti], off[ti + 1]);
    axes.forEach((ax, k) => {
      if (!ax || ax.perm !== g) return;
      const pb = gather(tb, t.shape, axisMaps(t.shape, axes, perms, k));
      // Axis k as [outer, n, inner * rest]: unit c's entries are rows c * inner .. c * inner + inner - 1.
      const outer = product(t.shape.slice(0, k));
      const block = ax.inner * product(t.shape.slice(k + 1));
      for (let o = 0; o < outer; o++) {
        const base = o * n * block;
        for (let i = 0; i < n; i++) {
          const ra = base + i * block;
          for (let j = 0; j < n; j++) {
            const rb = base + j * block;
            let acc = 0;
            for (let e = 0; e < block; e++) acc += ta[ra + e] * pb[rb + e];
            s[i * n + j] += acc;
          }
        }
      }
    });
  });
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

export interface SpecMatchingOptions {
  /** Orders the coordinate-descent steps. Default 0. */
  seed?: number;
  /** At most this many sweeps over all groups. Default 100. */
  maxSweeps?: number;
  /** A sweep must raise the objective by more than this to continue; a step to be kept. Default 1e-12. */
  tolerance?: number;
}

export interface SpecMatchingResult {
  /** One permutation per group of the spec: unit i of the aligned B is unit perm[i] of B. */
  permutations: Int32Array[];
  /** <theta_a, pi(theta_b)> before the first sweep, then after every sweep (non-decreasing). */
  objective: number[];
  sweeps: number;
  converged: boolean;
  seed: number;
  /** pi(flat) for any vector of the same tensors. */
  apply(flat: Float32Array): Float32Array;
}

/**
 * Weight matching (Ainsworth et al. 2023, Algorithm 1) over a permutation spec: coordinate descent
 * over the groups in a seeded random order, each step a linear assignment on the group's
 * similarity with the others held fixed; a step that would lower <theta_a, pi(theta_b)> (possible
 * when a tensor has two axes in one group, e.g. a residual stream) is not taken. Stops after a
 * sweep that gained at most `tolerance`, or after `maxSweeps`.
 *
 * @example const m = weightMatchingBySpec(spec, layout, thetaA, thetaB); m.permutations; m.apply(thetaB);
 */
export function weightMatchingBySpec(
  spec: PermutationSpec,
  tensors: readonly SpecTensor[],
  thetaA: Float32Array,
  thetaB: Float32Array,
  options: SpecMatchingOptions = {},
): SpecMatchingResult {
  checkSpec(spec, tensors);
  const off = offsets(tensors);
  const total = off[off.length - 1];
  for (const [label, v] of [
    ["theta_a", thetaA],
    ["theta_b", thetaB],
  ] as const) {
    if (v.length !== total) throw new Error(`${label}: expected ${total} values, got ${v.length}`);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${label}[${bad}] is ${v[bad]}; weight matching needs finite parameters`);
  }
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
  const perms: Int32Array[] = spec.perms.map((g) => Int32Array.from({ length: g.size }, (_, i) => i));
  const rng = createRng(seed);
  let current = specObjective(spec, tensors, thetaA, thetaB, perms);
  const objective = [current];
  let sweeps = 0;
  let converged = spec.perms.length === 0;
  while (!converged && sweeps < maxSweeps) {
    const start = current;
    for (const g of permutation(spec.perms.length, rng)) {
      const candidate = solveAssignment(
        similarity(spec, tensors, off, thetaA, thetaB, perms, g),
        spec.perms[g].size,
      );
      if (candidate.every((v, i) => v === perms[g][i])) continue;
      const trial = perms.map((p, h) => (h === g ? candidate : p));
      const value = specObjective(spec, tensors, thetaA, thetaB, trial);
      if (value - current > tolerance) {
        perms[g] = candidate;
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
    apply: (flat) => applySpecPermutations(spec, tensors, flat, final),
  };
}
