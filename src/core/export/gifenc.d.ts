/**
 * Types of gifenc 1.0.3 (Matt DesLauriers' GIF encoder), which ships none: the parts this
 * project uses. Its CommonJS build (what Node loads) exposes the functions on the default export
 * only, so callers read them through gif.ts's `gifEncoder()`.
 */
declare module "gifenc" {
  /** RGB (or RGBA) colours, 0..255 each; at most 256. */
  export type GifPalette = number[][];

  export interface GifFrameOptions {
    /** Required for the first frame (the global colour table); later frames reuse it when absent. */
    palette?: GifPalette;
    /** Frame delay in milliseconds (stored in hundredths of a second). */
    delay?: number;
    /** 0: loop forever (default), -1: play once, n: n repetitions. */
    repeat?: number;
    transparent?: boolean;
    transparentIndex?: number;
    dispose?: number;
    first?: boolean;
  }

  export interface GifEncoderStream {
    /** Writes one frame of palette indices, row-major, width x height. */
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifFrameOptions): void;
    /** Writes the end-of-stream byte. */
    finish(): void;
    /** A copy of the bytes written so far. */
    bytes(): Uint8Array;
    /** A view of the bytes written so far. */
    bytesView(): Uint8Array;
    reset(): void;
  }

  export function GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): GifEncoderStream;

  /** A palette of at most `maxColors` colours for RGBA pixels (the app's GIF recording). */
  export function quantize(
    rgba: Uint8Array | Uint8ClampedArray,
    maxColors: number,
    options?: {
      format?: "rgb565" | "rgb444" | "rgba4444";
      oneBitAlpha?: boolean | number;
      clearAlpha?: boolean;
    },
  ): GifPalette;

  /** Each RGBA pixel's index of its nearest palette colour. */
  export function applyPalette(
    rgba: Uint8Array | Uint8ClampedArray,
    palette: GifPalette,
    format?: "rgb565" | "rgb444" | "rgba4444",
  ): Uint8Array;
  const gifenc: typeof GIFEncoder;
  export default gifenc;
}
