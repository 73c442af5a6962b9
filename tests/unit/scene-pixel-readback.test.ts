import { describe, expect, it } from "vitest";
import { flipUnpremultiply, unpremultiply } from "../../src/scene/pixel-readback";

/** What a 2-D canvas does with an ImageData pixel: Skia's premultiplication, round(u * a / 255). */
function premultiply(u: number, a: number): number {
  const p = u * a + 128;
  return (p + (p >> 8)) >> 8;
}

describe("flipUnpremultiply", () => {
  it("turns bottom-row-first pixels into top-row-first ones", () => {
    // 2 x 3 opaque pixels; row r holds the value 10 r + column.
    const width = 2;
    const height = 3;
    const src = new Uint8Array(width * height * 4);
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) src.set([10 * r + c, 100 + r, 200 + c, 255], (r * width + c) * 4);
    const dst = new Uint8ClampedArray(src.length);
    flipUnpremultiply(src, dst, width, height);
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) {
        const from = height - 1 - r;
        expect([...dst.subarray((r * width + c) * 4, (r * width + c + 1) * 4)]).toEqual([
          10 * from + c,
          100 + from,
          200 + c,
          255,
        ]);
      }
  });

  it("keeps opaque and transparent pixels as they are and un-premultiplies the rest", () => {
    const src = new Uint8Array([10, 20, 30, 255, 0, 0, 0, 0, 50, 25, 0, 100, 1, 0, 1, 2]);
    const dst = new Uint8ClampedArray(src.length);
    flipUnpremultiply(src, dst, 4, 1);
    expect([...dst]).toEqual([10, 20, 30, 255, 0, 0, 0, 0, 128, 64, 0, 100, 128, 0, 128, 2]);
  });

  it("refuses buffers of the wrong size, naming the sizes", () => {
    expect(() => flipUnpremultiply(new Uint8Array(12), new Uint8ClampedArray(16), 2, 2)).toThrow(
      /12 and 16 bytes for 2 x 2 pixels/,
    );
  });
});

describe("unpremultiply", () => {
  it("gives back every premultiplied byte exactly once the canvas premultiplies it again", () => {
    let checked = 0;
    for (let a = 1; a < 255; a++)
      for (let c = 0; c <= a; c++) {
        const u = unpremultiply(c, a);
        expect(u).toBeLessThanOrEqual(255);
        if (premultiply(u, a) !== c)
          throw new Error(`c ${c}, a ${a}: ${u} premultiplies to ${premultiply(u, a)}`);
        checked++;
      }
    expect(checked).toBe(32_639);
  });
});
