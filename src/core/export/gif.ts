/**
 * GIF encoding of indexed-colour frames with gifenc: one global palette (at most 256 colours),
 * every frame full size, looping forever. The frames are produced one at a time, so memory holds
 * one frame and the growing output; every few frames the encoder yields to the event loop, so a
 * cancel (signal) and progress reports get through.
 *
 * @example const bytes = await encodeGif({ width, height, palette, count, frame: (i) => pixels[i], delay: () => 80 });
 */

import type { GifEncoderStream, GifPalette } from "gifenc";
import * as gifencModule from "gifenc";

type EncoderFactory = (options?: { auto?: boolean; initialCapacity?: number }) => GifEncoderStream;

/**
 * gifenc's GIFEncoder whichever build was loaded: its ES module exports it by name (bundlers),
 * its CommonJS build (what Node loads) only on the default export object.
 */
export function gifEncoder(): GifEncoderStream {
  const mod = gifencModule as unknown as {
    GIFEncoder?: EncoderFactory;
    default?: EncoderFactory | { GIFEncoder?: EncoderFactory };
  };
  const fromDefault = typeof mod.default === "function" ? mod.default : mod.default?.GIFEncoder;
  const factory = mod.GIFEncoder ?? fromDefault;
  if (!factory) throw new Error("the gifenc package has no GIFEncoder");
  return factory();
}

interface GifFrames {
  width: number;
  height: number;
  /** RGB triples, 0..255, at most 256 of them; frame pixels index into it. */
  palette: GifPalette;
  count: number;
  /** Frame i's palette indices, row-major, width x height (may be reused after the call). */
  frame(i: number): Uint8Array;
  /** Frame i's delay in milliseconds (GIF stores hundredths of a second). */
  delay(i: number): number;
  /**
   * A palette index no frame uses: frames after the first store only the pixels that changed,
   * the others as this (transparent) index over the previous frame (disposal "do not dispose"),
   * which LZW compresses to almost nothing. Absent: every frame is stored whole.
   */
  unchanged?: number;
  signal?: AbortSignal;
  /** Called after each frame with the frames written so far. */
  onProgress?: (done: number, total: number) => void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Encodes the frames as an animated GIF (see the module comment); rejects with the signal's reason on cancel. */
export async function encodeGif(f: GifFrames): Promise<Uint8Array> {
  if (f.palette.length < 2 || f.palette.length > 256)
    throw new Error(`a GIF palette holds 2 to 256 colours, got ${f.palette.length}`);
  const gif = gifEncoder();
  const size = f.width * f.height;
  const keep = f.unchanged;
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0 && keep < f.palette.length))
    throw new Error(`the unchanged index must be a palette index, got ${keep}`);
  const previous = keep === undefined ? null : new Uint8Array(size);
  const delta = keep === undefined ? null : new Uint8Array(size);
  for (let i = 0; i < f.count; i++) {
    f.signal?.throwIfAborted();
    const pixels = f.frame(i);
    if (pixels.length !== size)
      throw new Error(`frame ${i} has ${pixels.length} pixels, expected ${f.width} x ${f.height}`);
    if (i > 0 && previous && delta && keep !== undefined) {
      for (let j = 0; j < size; j++) {
        const v = pixels[j];
        if (v === keep) throw new Error(`frame ${i} uses the index ${keep} reserved for unchanged pixels`);
        delta[j] = v === previous[j] ? keep : v;
      }
      gif.writeFrame(delta, f.width, f.height, {
        delay: f.delay(i),
        transparent: true,
        transparentIndex: keep,
        dispose: 1,
      });
    } else {
      gif.writeFrame(pixels, f.width, f.height, { palette: f.palette, repeat: 0, delay: f.delay(i) });
    }
    previous?.set(pixels);
    f.onProgress?.(i + 1, f.count);
    if (i % 4 === 3) await yieldToEventLoop();
  }
  f.signal?.throwIfAborted();
  gif.finish();
  return gif.bytes();
}
