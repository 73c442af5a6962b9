/**
 * Warm up the colour scale's fit (scene/scale.ts) before the first job, as ShaderWarmup compiles
 * the 3D view's shaders: the main thread's hottest code while a landscape streams in.
 *
 * Why: fitScale selects a quantile among all of a surface's values at every redraw of a growing
 * landscape. Its first calls run before the JIT has compiled it (13-17 ms, then 6-10 ms, in Node
 * here on 201 x 201 values; 20-80 ms in the page while another heavy job kept both cores busy),
 * and they fell into a 201 x 201 landscape's first redraws. Compiled, a call takes under 1 ms.
 * The warm-up runs once, while the page waits for its first job, one call per task.
 *
 * @example await warmUpScale(); await lab.firstRun();
 */
import { yieldToEventLoop } from "../core/yield";
import { fitScale } from "../scene/scale";

/** As many values as a 201 x 201 grid: loops that long get the JIT's attention. */
const VALUES = 201 * 201;
/** Calls until a fit is compiled and stays so (a few, measured in Node). */
const CALLS = 4;

export async function warmUpScale(): Promise<void> {
  // A loss-like surface: positive values over a few decades, and a few holes (NaN).
  const values = new Float32Array(VALUES);
  for (let i = 0; i < VALUES; i++)
    values[i] = i % 1009 === 0 ? Number.NaN : 10 ** (((i * 7919) % 4001) / 1000 - 2);
  for (let k = 0; k < CALLS; k++) {
    await yieldToEventLoop();
    fitScale([values], { log: k % 2 === 0, clipQuantile: 0.98 });
  }
}
