/**
 * Where to draw a graph's nodes: a seeded force-directed layout (Fruchterman and Reingold 1991):
 * every pair of nodes repels with force k^2 / d, every edge attracts with d^2 / k, and the step
 * is capped by a temperature that cools linearly to 0. Deterministic for a seed; positions are
 * scaled into [-1, 1]^2. O(nodes^2) per iteration, with fewer iterations on large graphs.
 * Pure drawing maths (the data plot draws the graph of a GCN run with it).
 *
 * @example const xy = forceLayout(34, edges, 1); // Float64Array [x0, y0, x1, y1, ...]
 */
import { createRng } from "../rng";

/** Iterations: 300, fewer on large graphs so that a layout stays near 3e7 pair steps (tens of ms). */
const iterationsFor = (nodes: number) => Math.max(30, Math.min(300, Math.floor(3e7 / (nodes * nodes))));

export function forceLayout(
  nodes: number,
  edges: readonly (readonly [number, number])[],
  seed = 1,
): Float64Array {
  const pos = new Float64Array(2 * nodes);
  if (nodes === 0) return pos;
  const rng = createRng(seed);
  for (let i = 0; i < 2 * nodes; i++) pos[i] = 2 * rng.next() - 1;
  const k = Math.sqrt(4 / nodes);
  const disp = new Float64Array(2 * nodes);
  const iterations = iterationsFor(nodes);
  for (let it = 0; it < iterations; it++) {
    disp.fill(0);
    for (let i = 0; i < nodes; i++)
      for (let j = i + 1; j < nodes; j++) {
        const dx = pos[2 * i] - pos[2 * j];
        const dy = pos[2 * i + 1] - pos[2 * j + 1];
        const d2 = Math.max(dx * dx + dy * dy, 1e-9);
        const f = (k * k) / d2; // (k^2 / d) along the unit vector (dx, dy) / d
        disp[2 * i] += dx * f;
        disp[2 * i + 1] += dy * f;
        disp[2 * j] -= dx * f;
        disp[2 * j + 1] -= dy * f;
      }
    for (const [i, j] of edges) {
      const dx = pos[2 * i] - pos[2 * j];
      const dy = pos[2 * i + 1] - pos[2 * j + 1];
      const d = Math.sqrt(dx * dx + dy * dy);
      const f = d / k; // (d^2 / k) along the unit vector
      disp[2 * i] -= dx * f;
      disp[2 * i + 1] -= dy * f;
      disp[2 * j] += dx * f;
      disp[2 * j + 1] += dy * f;
    }
    const temperature = 0.1 * (1 - it / iterations);
    for (let i = 0; i < nodes; i++) {
      const dx = disp[2 * i];
      const dy = disp[2 * i + 1];
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d > 0) {
        const step = Math.min(d, temperature) / d;
        pos[2 * i] += dx * step;
        pos[2 * i + 1] += dy * step;
      }
    }
  }
  // Centre and scale into [-1, 1]^2, the aspect kept.
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < nodes; i++) {
    x0 = Math.min(x0, pos[2 * i]);
    x1 = Math.max(x1, pos[2 * i]);
    y0 = Math.min(y0, pos[2 * i + 1]);
    y1 = Math.max(y1, pos[2 * i + 1]);
  }
  const half = Math.max(x1 - x0, y1 - y0, 1e-9) / 2;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  for (let i = 0; i < nodes; i++) {
    pos[2 * i] = (pos[2 * i] - cx) / half;
    pos[2 * i + 1] = (pos[2 * i + 1] - cy) / half;
  }
  return pos;
}
