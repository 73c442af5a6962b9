import { describe, expect, it, vi } from "vitest";
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

/** Node has no ImageData: the shape the read-back fills. */
class FakeImageData {
  readonly data: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }
}

/**
 * The WebGL2 calls PixelReadback makes, on a 2 x 2 drawing buffer whose pixels (bottom row first)
 * are 1..16; records the calls and the bindings, and can lose its context.
 */
function fakeGl() {
  const calls: string[] = [];
  const state = {
    lost: false,
    pack: "three-pack" as unknown,
    read: "three-fbo" as unknown,
    buffers: 0,
    error: 0,
  };
  const gl = {
    PIXEL_PACK_BUFFER: 1,
    PIXEL_PACK_BUFFER_BINDING: 2,
    READ_FRAMEBUFFER: 3,
    READ_FRAMEBUFFER_BINDING: 4,
    STREAM_COPY: 5,
    RGBA: 6,
    UNSIGNED_BYTE: 7,
    NO_ERROR: 0,
    getError: () => {
      const e = state.error;
      state.error = 0;
      return e;
    },
    drawingBufferWidth: 2,
    drawingBufferHeight: 2,
    isContextLost: () => state.lost,
    createBuffer: () => `buffer ${++state.buffers}`,
    deleteBuffer: (b: unknown) => calls.push(`delete ${b}`),
    getParameter: (p: number) => (p === 2 ? state.pack : state.read),
    bindBuffer: (_t: number, b: unknown) => {
      state.pack = b;
      calls.push(`bind ${b}`);
    },
    bindFramebuffer: (_t: number, f: unknown) => {
      state.read = f;
    },
    bufferData: (_t: number, bytes: number, usage: number) => calls.push(`data ${bytes} ${usage}`),
    readPixels: (...args: unknown[]) =>
      calls.push(`read ${args.slice(0, 4).join(" ")} into ${state.pack} from ${state.read}`),
    getBufferSubData: (_t: number, _o: number, out: Uint8Array) => {
      calls.push(`get ${state.pack}`);
      for (let i = 0; i < out.length; i++) out[i] = i % 4 === 3 ? 255 : i + 1;
    },
  };
  return { gl: gl as unknown as WebGL2RenderingContext, calls, state };
}

describe("PixelReadback", () => {
  it("reads the frame into its own pack buffer from the default framebuffer, then gives it top row first, bindings as they were", async () => {
    const { PixelReadback } = await import("../../src/scene/pixel-readback");
    vi.stubGlobal("ImageData", FakeImageData);
    try {
      const { gl, calls, state } = fakeGl();
      const readback = new PixelReadback();
      expect(readback.finish(gl), "nothing started").toBeNull();
      expect(readback.start(gl)).toBe(true);
      expect(calls).toEqual([
        "bind buffer 1",
        "data 16 5",
        "read 0 0 2 2 into buffer 1 from null",
        "bind three-pack",
      ]);
      expect(state.read, "three's read framebuffer is back").toBe("three-fbo");
      const image = readback.finish(gl);
      expect(image?.width).toBe(2);
      // Bottom row (bytes 1..8) comes last; alpha 255.
      expect([...(image?.data ?? [])]).toEqual([9, 10, 11, 255, 13, 14, 15, 255, 1, 2, 3, 255, 5, 6, 7, 255]);
      expect(state.pack).toBe("three-pack");
      expect(readback.finish(gl), "read once").toBeNull();
      // The next frame reuses the buffer and its storage.
      calls.length = 0;
      readback.start(gl);
      expect(calls[1]).toMatch(/^read .* into buffer 1/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("makes a new buffer after a context loss (a restored context keeps its JS object) and starts nothing while lost", async () => {
    const { PixelReadback } = await import("../../src/scene/pixel-readback");
    const { gl, calls, state } = fakeGl();
    const readback = new PixelReadback();
    readback.start(gl);
    state.lost = true;
    readback.contextLost();
    expect(readback.start(gl)).toBe(false);
    expect(readback.finish(gl)).toBeNull();
    state.lost = false;
    calls.length = 0;
    expect(readback.start(gl)).toBe(true);
    expect(calls.slice(0, 2)).toEqual(["bind buffer 2", "data 16 5"]);
  });

  it("gives nothing for a read that failed, and makes a new buffer for the next frame", async () => {
    const { PixelReadback } = await import("../../src/scene/pixel-readback");
    vi.stubGlobal("ImageData", FakeImageData);
    try {
      const { gl, calls, state } = fakeGl();
      const readback = new PixelReadback();
      readback.start(gl);
      state.error = 0x502; // INVALID_OPERATION from the read
      expect(readback.finish(gl)).toBeNull();
      calls.length = 0;
      readback.start(gl);
      expect(calls.slice(0, 2)).toEqual(["bind buffer 2", "data 16 5"]);
      expect(readback.finish(gl)?.width).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
