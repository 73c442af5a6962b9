/** Rows are padded to a whole number of f32x4 vectors. */
export const pad4 = (x: number): number => (x + 3) & ~3;

/**
 * Byte offsets of 16-byte aligned regions of a kernel instance's memory, handed out in order
 * (relative to the heap base); `bytes` is the total to instantiate with.
 *
 * @example const plan = new MemoryPlan(); const at = plan.floats(10); plan.bytes // 48
 */
export class MemoryPlan {
  bytes = 0;
  floats(count: number): number {
    const at = this.bytes;
    this.bytes += pad4(Math.max(count, 1)) * 4;
    return at;
  }
}

/** Throws, naming the sample, when a label is not a class index in [0, classes). */
export function checkLabels(where: string, y: Float32Array, n: number, classes: number): void {
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`${where}: label ${c} of sample ${i} is not a class index in [0, ${classes})`);
    }
  }
}
