import { layerWidths } from "../../../src/core/model/mlp";
import type { LossKind, MlpArchitecture } from "../../../src/core/model/types";

/**
 * An independent float64 implementation of the snapshot contract's forward pass and losses,
 * written from SNAPSHOT.md and not from the core code, to check the core against.
 */
function act(z: number, a: MlpArchitecture["activation"]): number {
  switch (a) {
    case "relu":
      return Math.max(0, z);
    case "leaky_relu":
      return z > 0 ? z : 0.01 * z;
    case "tanh":
      return Math.tanh(z);
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "elu":
      return z > 0 ? z : Math.exp(z) - 1;
    case "softplus":
      return Math.log1p(Math.exp(z));
    case "linear":
      return z;
  }
}

export function referenceForward(
  arch: MlpArchitecture,
  flat: ArrayLike<number>,
  x: ArrayLike<number>,
  n: number,
): number[][] {
  const w = layerWidths(arch);
  const outs: number[][] = [];
  for (let s = 0; s < n; s++) {
    let h = Array.from({ length: w[0] }, (_, i) => x[s * w[0] + i]);
    let off = 0;
    for (let l = 0; l < w.length - 1; l++) {
      const [inW, outW] = [w[l], w[l + 1]];
      const z = new Array(outW).fill(0);
      for (let o = 0; o < outW; o++) {
        let sum = flat[off + inW * outW + o]; // bias
        for (let i = 0; i < inW; i++) sum += h[i] * flat[off + i * outW + o];
        z[o] = sum;
      }
      off += inW * outW + outW;
      if (l === w.length - 2) {
        h = z;
      } else {
        const a = z.map((v) => act(v, arch.activation));
        const residual = arch.residual && l >= 1 && inW === outW;
        h = residual ? a.map((v, i) => v + h[i]) : a;
      }
    }
    outs.push(h);
  }
  return outs;
}

export function referenceLoss(
  arch: MlpArchitecture,
  loss: LossKind,
  flat: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
): { loss: number; accuracy: number } {
  const outs = referenceForward(arch, flat, x, n);
  let total = 0;
  let correct = 0;
  outs.forEach((o, s) => {
    if (loss === "cross-entropy") {
      const m = Math.max(...o);
      const lse = m + Math.log(o.reduce((acc, v) => acc + Math.exp(v - m), 0));
      total += lse - o[y[s]];
      const arg = o.indexOf(m);
      if (arg === y[s]) correct++;
    } else {
      o.forEach((v, j) => {
        total += (v - y[s * o.length + j]) ** 2;
      });
    }
  });
  const denom = loss === "cross-entropy" ? n : n * arch.outputSize;
  return { loss: total / denom, accuracy: correct / n };
}
