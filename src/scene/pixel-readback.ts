/**
 * Read a finished WebGL2 frame into main memory without the main thread waiting for the GPU.
 *
 * Why: without GPU compositing (software rendering: headless Chromium on SwiftShader, virtual
 * machines, GPU-blocklisted drivers), drawImage of a WebGL canvas onto the visible 2-D canvas is a
 * synchronous glReadPixels: the main thread waits for the GPU process, which may be busy with
 * other work (8-57 ms per frame of a 201 x 201 surface measured here, the largest single cost of
 * a redraw). Instead, right after the frame is drawn, readPixels goes into a pixel-pack buffer
 * (GPU-side, asynchronous) before the frame's fence; once the fence has signalled, the browser
 * already holds the pixels and getBufferSubData copies them out without a round trip.
 *
 * The pixels come bottom row first and premultiplied by alpha (the WebGL default); a 2-D canvas's
 * ImageData is top row first and not premultiplied. `toImageData` converts, rounding so that the
 * canvas's own premultiplication gives back the drawing buffer's exact bytes (see unpremultiply).
 *
 * @example
 * const readback = new PixelReadback();
 * renderer.render(scene, camera);
 * const started = readback.start(gl); // before the fence
 * const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
 * // ... once the fence has signalled:
 * const image = readback.finish(gl); // ImageData, or null (context lost, nothing started)
 * if (image) ctx.putImageData(image, 0, 0);
 */

/** A read started by `start`: the drawing buffer's size at that time. */
interface Pending {
  width: number;
  height: number;
}

export class PixelReadback {
  private buffer: WebGLBuffer | null = null;
  private bufferBytes = 0;
  private context: WebGL2RenderingContext | null = null;
  private pending: Pending | null = null;
  private pixels = new Uint8Array(0);
  private image: ImageData | null = null;

  /**
   * Queue a read of the default framebuffer (the frame just drawn) into the pixel-pack buffer.
   * Call after drawing and before the fence. False (nothing started) when the drawing buffer is
   * empty or the context is lost; the caller then presents another way.
   */
  start(gl: WebGL2RenderingContext): boolean {
    this.pending = null;
    if (gl.isContextLost()) return false;
    const width = gl.drawingBufferWidth;
    const height = gl.drawingBufferHeight;
    if (width === 0 || height === 0) return false;
    const bytes = width * height * 4;
    if (this.context !== gl) {
      // A new context needs a buffer of its own (a restored one: see contextLost).
      this.context = gl;
      this.buffer = null;
    }
    if (!this.buffer) {
      this.buffer = gl.createBuffer();
      this.bufferBytes = 0;
      if (!this.buffer) return false;
    }
    // Bindings three.js may hold are put back as they were (its state cache relies on them).
    const packBinding = gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING) as WebGLBuffer | null;
    const readBinding = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING) as WebGLFramebuffer | null;
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, this.buffer);
    if (this.bufferBytes !== bytes) {
      // STREAM_COPY, not STREAM_READ: with a READ usage Chromium keeps a shadow copy meant for a
      // buffer filled once and read once, discards it when the buffer is filled again, and logs a
      // performance warning for every frame; the read after the fence costs the same (~1 ms).
      gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_COPY);
      this.bufferBytes = bytes;
    }
    if (readBinding !== null) gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    if (readBinding !== null) gl.bindFramebuffer(gl.READ_FRAMEBUFFER, readBinding);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, packBinding);
    this.pending = { width, height };
    return true;
  }

  /**
   * The pixels of the read started last, as top-row-first unpremultiplied ImageData (reused
   * between calls: put it on a canvas before the next call). Call once its fence has signalled
   * (earlier works too, but then the browser waits for the GPU). Null when nothing was started or
   * the context was lost since.
   */
  finish(gl: WebGL2RenderingContext): ImageData | null {
    const read = this.pending;
    this.pending = null;
    if (!read || gl !== this.context || gl.isContextLost() || !this.buffer) return null;
    const bytes = read.width * read.height * 4;
    if (this.pixels.length !== bytes) this.pixels = new Uint8Array(bytes);
    const packBinding = gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING) as WebGLBuffer | null;
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, this.buffer);
    gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, this.pixels);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, packBinding);
    // The GPU is idle here (the fence has signalled), so asking is cheap. A read that failed
    // (a buffer the context no longer knows, however it came to be) would show a blank frame:
    // the caller copies the canvas instead, and the next frame gets a new buffer.
    if (gl.getError() !== gl.NO_ERROR) {
      this.contextLost();
      return null;
    }
    if (!this.image || this.image.width !== read.width || this.image.height !== read.height)
      this.image = new ImageData(read.width, read.height);
    flipUnpremultiply(this.pixels, this.image.data, read.width, read.height);
    return this.image;
  }

  /**
   * The context was lost: its buffer is gone with it. A restored context keeps the same JS object
   * (so `start` cannot tell), and the old buffer would make every read fail and show a blank frame.
   */
  contextLost(): void {
    this.buffer = null;
    this.bufferBytes = 0;
    this.pending = null;
  }

  /** Free the buffer (the presenter is unmounted). */
  dispose(): void {
    if (this.buffer && this.context && !this.context.isContextLost()) this.context.deleteBuffer(this.buffer);
    this.buffer = null;
    this.context = null;
    this.pending = null;
  }
}

/**
 * Un-premultiply one channel: round(c * 255 / a), for 0 <= c <= a, 0 < a < 255.
 *
 * The 2-D canvas stores premultiplied pixels and premultiplies ImageData with round(u * a / 255).
 * Since |u - c * 255 / a| <= 1/2, |u * a / 255 - c| <= a / 510 < 1/2, so the canvas gets back c
 * exactly: the visible picture holds the drawing buffer's bytes, as drawImage would copy them.
 */
export function unpremultiply(c: number, a: number): number {
  return Math.min(255, Math.floor((c * 255 + (a >> 1)) / a));
}

/**
 * `src`: RGBA bytes, bottom row first, premultiplied (readPixels of a premultiplied drawing
 * buffer); `dst`: the same pixels top row first, not premultiplied (ImageData). Both
 * width * height * 4 bytes. Opaque and fully transparent pixels (nearly all of them) are copied
 * as they are; a transparent pixel's colour is 0 in both forms.
 */
export function flipUnpremultiply(
  src: Uint8Array,
  dst: Uint8ClampedArray,
  width: number,
  height: number,
): void {
  const rowBytes = width * 4;
  if (src.length !== rowBytes * height || dst.length !== rowBytes * height)
    throw new Error(
      `flipUnpremultiply: ${src.length} and ${dst.length} bytes for ${width} x ${height} pixels`,
    );
  for (let y = 0; y < height; y++) {
    const from = (height - 1 - y) * rowBytes;
    const to = y * rowBytes;
    dst.set(src.subarray(from, from + rowBytes), to);
    for (let i = to + 3; i < to + rowBytes; i += 4) {
      const a = dst[i];
      if (a === 255 || a === 0) continue;
      dst[i - 3] = unpremultiply(dst[i - 3], a);
      dst[i - 2] = unpremultiply(dst[i - 2], a);
      dst[i - 1] = unpremultiply(dst[i - 1], a);
    }
  }
}
