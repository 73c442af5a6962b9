import { layerWidths } from "../../../src/core/model/mlp";
import type { LossKind, MlpArchitecture } from "../../../src/core/model/types";

/**
 * Float64 gradients of an MLP's mean loss by plain backpropagation, written from the maths (not
 * from the kernel or tfjs code), and Hessian-vector products as central differences of that
 * gradient: the independent reference the kernel's gradients and R-op are checked against.
 */
function act(z: number, a: MlpArchitecture["activation"], positive = z > 0): [number, number] {
  switch (a) {
    case "relu":
      return positive ? [z, 1] : [0, 0];
    case "leaky_relu":
      return positive ? [z, 1] : [0.01 * z, 0.01];
    case "tanh": {
      const t = Math.tanh(z);
      return [t, 1 - t * t];
    }
    case "sigmoid": {
      const s = 1 / (1 + Math.exp(-z));
      return [s, s * (1 - s)];
    }
    case "elu":
      return positive ? [z, 1] : [Math.exp(z) - 1, Math.exp(z)];
    case "softplus":
      return [Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), 1 / (1 + Math.exp(-z))];
    case "linear":
      return [z, 1];
  }
}

/**
 * d(mean loss)/d(flat) in float64, flat in mlpLayout order. `branches`, when given, records (when
 * empty) or imposes (when filled) which side of 0 every hidden pre-activation is on, in pass order:
 * imposing the pattern of theta makes the gradient smooth in the parameters near theta, so that
 * central differences give the almost-everywhere Hessian of ReLU-type activations.
 */
export function f64Gradient(
  arch: MlpArchitecture,
  loss: LossKind,
  flat: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  branches?: boolean[],
): Float64Array {
  const record = branches !== undefined && branches.length === 0;
  let at = 0;
  const w = layerWidths(arch);
  const L = w.length - 1;
  const offsets: number[] = [];
  let off = 0;
  for (let l = 0; l < L; l++) {
    offsets.push(off);
    off += w[l] * w[l + 1] + w[l + 1];
  }
  const grad = new Float64Array(off);
  for (let s = 0; s < n; s++) {
    const hs: number[][] = [Array.from({ length: w[0] }, (_, i) => x[s * w[0] + i])];
    const ds: number[][] = [];
    for (let l = 0; l < L; l++) {
      const [inW, outW, o] = [w[l], w[l + 1], offsets[l]];
      const h = hs[l];
      const z = Array.from({ length: outW }, (_, j) => {
        let sum = flat[o + inW * outW + j];
        for (let i = 0; i < inW; i++) sum += h[i] * flat[o + i * outW + j];
        return sum;
      });
      if (l === L - 1) {
        hs.push(z);
        break;
      }
      const pairs = z.map((v) => {
        if (record) branches.push(v > 0);
        return act(v, arch.activation, branches && !record ? branches[at++] : v > 0);
      });
      const residual = arch.residual && l >= 1 && inW === outW;
      hs.push(pairs.map(([a], i) => a + (residual ? h[i] : 0)));
      ds.push(pairs.map(([, d]) => d));
    }
    const out = hs[L];
    let dz: number[];
    if (loss === "cross-entropy") {
      const m = Math.max(...out);
      const e = out.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, b) => a + b, 0);
      dz = e.map((v, j) => (v / sum - (j === y[s] ? 1 : 0)) / n);
    } else {
      dz = out.map((v, j) => (2 * (v - y[s * out.length + j])) / (n * out.length));
    }
    /** The gradient with respect to H_l of the layer above the current one (its residual path). */
    let dhAbove: number[] = [];
    for (let l = L - 1; l >= 0; l--) {
      const [inW, outW, o] = [w[l], w[l + 1], offsets[l]];
      const h = hs[l];
      for (let i = 0; i < inW; i++) for (let j = 0; j < outW; j++) grad[o + i * outW + j] += h[i] * dz[j];
      for (let j = 0; j < outW; j++) grad[o + inW * outW + j] += dz[j];
      if (l === 0) break;
      const residual = arch.residual && l < L - 1 && l >= 1 && inW === outW;
      const dh = Array.from({ length: inW }, (_, i) => {
        let sum = residual ? dhAbove[i] : 0;
        for (let j = 0; j < outW; j++) sum += dz[j] * flat[o + i * outW + j];
        return sum;
      });
      dz = dh.map((v, i) => v * ds[l - 1][i]);
      dhAbove = dh;
    }
  }
  return grad;
}

/**
 * H v of the mean loss in float64: (g(theta + h v) - g(theta - h v)) / 2h of f64Gradient, with
 * every activation kept on the side of 0 it is on at theta.
 */
export function f64Hvp(
  arch: MlpArchitecture,
  loss: LossKind,
  flat: ArrayLike<number>,
  v: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  h = 1e-5,
): Float64Array {
  const plus = Float64Array.from(flat, (t, i) => t + h * v[i]);
  const minus = Float64Array.from(flat, (t, i) => t - h * v[i]);
  const branches: boolean[] = [];
  f64Gradient(arch, loss, flat, x, y, n, branches);
  const gp = f64Gradient(arch, loss, plus, x, y, n, branches);
  const gm = f64Gradient(arch, loss, minus, x, y, n, branches);
  return gp.map((a, i) => (a - gm[i]) / (2 * h));
}
