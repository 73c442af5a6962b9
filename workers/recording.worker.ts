/**
 * The recording worker: encodes the frames the page captures (ImageBitmaps, moved here, not
 * copied) into a video (WebM with VP9 or VP8, MP4 with H.264; WebCodecs through mediabunny) or an
 * animated GIF (gifenc: a palette per frame, quantized here), so that neither the encoder nor the
 * quantizer runs on the page's thread. src/app/recording/recorder.ts starts one per recording and
 * terminates it when done or cancelled.
 */
import { expose, transfer } from "comlink";
import type { GifEncoderStream, GifPalette } from "gifenc";
import * as gifencModule from "gifenc";
import {
  BufferTarget,
  CanvasSource,
  getFirstEncodableVideoCodec,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  type VideoCodec,
  WebMOutputFormat,
} from "mediabunny";

export type RecordingFormat = "webm" | "mp4" | "gif";

interface RecordingSetup {
  format: RecordingFormat;
  width: number;
  height: number;
  fps: number;
  frames: number;
}

interface Gifenc {
  GIFEncoder(): GifEncoderStream;
  quantize(rgba: Uint8ClampedArray, maxColors: number): GifPalette;
  applyPalette(rgba: Uint8ClampedArray, palette: GifPalette): Uint8Array;
}

/** gifenc's functions whichever build the bundler loaded (named exports, or a CommonJS default). */
function gifenc(): Gifenc {
  const mod = gifencModule as unknown as Partial<Gifenc> & { default?: Partial<Gifenc> };
  const g = (mod.GIFEncoder ? mod : mod.default) as Gifenc | undefined;
  if (!g?.GIFEncoder || !g.quantize || !g.applyPalette) throw new Error("the gifenc package is incomplete");
  return g;
}

let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
let setup: RecordingSetup | null = null;
let video: { output: Output; source: CanvasSource; target: BufferTarget; codec: VideoCodec } | null = null;
let gif: { encoder: GifEncoderStream; lib: Gifenc } | null = null;
let added = 0;

const VIDEO_CODECS: Record<"webm" | "mp4", VideoCodec[]> = {
  webm: ["vp9", "vp8", "av1"],
  mp4: ["avc", "vp9", "av1"],
};

const api = {
  /** Prepares an encoder; resolves with the codec chosen ("gif" for GIF). */
  async begin(s: RecordingSetup): Promise<string> {
    setup = s;
    added = 0;
    canvas = new OffscreenCanvas(s.width, s.height);
    ctx = canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("no 2-D context on an OffscreenCanvas in this browser");
    if (s.format === "gif") {
      const lib = gifenc();
      gif = { encoder: lib.GIFEncoder(), lib };
      return "gif";
    }
    if (typeof VideoEncoder === "undefined")
      throw new Error("this browser has no WebCodecs VideoEncoder: record a GIF instead");
    const codec = await getFirstEncodableVideoCodec(VIDEO_CODECS[s.format], {
      width: s.width,
      height: s.height,
    });
    if (!codec)
      throw new Error(
        `this browser cannot encode ${s.format.toUpperCase()} video at ${s.width} x ${s.height}`,
      );
    const target = new BufferTarget();
    const output = new Output({
      format: s.format === "webm" ? new WebMOutputFormat() : new Mp4OutputFormat({ fastStart: "in-memory" }),
      target,
    });
    const source = new CanvasSource(canvas, { codec, quality: QUALITY_HIGH, keyFrameInterval: 2 });
    output.addVideoTrack(source, { frameRate: s.fps });
    await output.start();
    video = { output, source, target, codec };
    return codec;
  },

  /** Encodes one frame (the bitmap is closed here). */
  async add(bitmap: ImageBitmap): Promise<number> {
    if (!setup || !ctx || !canvas) throw new Error("begin() first");
    ctx.drawImage(bitmap, 0, 0, setup.width, setup.height);
    bitmap.close();
    const i = added++;
    if (video) {
      await video.source.add(i / setup.fps, 1 / setup.fps);
    } else if (gif) {
      const { data } = ctx.getImageData(0, 0, setup.width, setup.height);
      const palette = gif.lib.quantize(data, 256);
      const index = gif.lib.applyPalette(data, palette);
      const last = i === setup.frames - 1;
      gif.encoder.writeFrame(index, setup.width, setup.height, {
        palette,
        delay: last ? Math.max(1500, 1000 / setup.fps) : 1000 / setup.fps,
        repeat: 0,
      });
    }
    return added;
  },

  /** The file's bytes (moved to the page). */
  async finish(): Promise<Uint8Array> {
    let bytes: Uint8Array;
    if (video) {
      await video.source.close();
      await video.output.finalize();
      const buffer = video.target.buffer;
      if (!buffer) throw new Error("the video encoder wrote nothing");
      bytes = new Uint8Array(buffer);
    } else if (gif) {
      gif.encoder.finish();
      bytes = gif.encoder.bytes();
    } else {
      throw new Error("begin() first");
    }
    video = null;
    gif = null;
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  async cancel(): Promise<void> {
    if (video && video.output.state !== "finalized") await video.output.cancel();
    video = null;
    gif = null;
  },
};

export type RecordingApi = typeof api;
expose(api);
