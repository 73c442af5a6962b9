/**
 * Takes over react-three-fiber's rendering (a useFrame callback with priority 1): each frame is
 * drawn, in a task after the animation frame, into the r3f canvas, which stays hidden; its pixels
 * go into a pixel-pack buffer at once (pixel-readback.ts) and onto the visible `target` canvas
 * once the GPU has finished them (frame-presenter.ts says why: the main thread never waits for a
 * software-rasterised frame). Without WebGL2 the finished frame is copied with drawImage.
 * Children may run code when their frame is on screen through useAfterPresent (DOM labels, the
 * surface-frame mark).
 *
 * The hidden canvas keeps its drawing buffer (preserveDrawingBuffer), so exports and read-backs
 * of it see the same picture as the visible one.
 *
 * @example
 * <Canvas gl={{ preserveDrawingBuffer: true }}>
 *   <PresentWhenDrawn target={visibleCanvasRef}><Scene /></PresentWhenDrawn>
 * </Canvas>
 */
import { useFrame, useThree } from "@react-three/fiber";
import { createContext, type ReactNode, type RefObject, useContext, useEffect, useMemo } from "react";
import { type FenceStatus, FramePresenter } from "./frame-presenter";
import { PixelReadback } from "./pixel-readback";

const PresenterContext = createContext<FramePresenter | null>(null);

/** Runs `callback` when the frame now being prepared is on screen (at once without a presenter). */
export function useAfterPresent(): (key: string, callback: () => void) => void {
  const presenter = useContext(PresenterContext);
  return useMemo(
    () =>
      presenter ? (key, callback) => presenter.afterPresent(key, callback) : (_key, callback) => callback(),
    [presenter],
  );
}

/** A WebGL2 fence on everything issued so far, polled without blocking; null without WebGL2. */
function fenceNow(gl: WebGL2RenderingContext | null, losses: { count: number }): (() => FenceStatus) | null {
  if (!gl) return null;
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  if (!sync) return null;
  gl.flush();
  const generation = losses.count;
  return () => {
    // A context lost and restored since (the same JS object) no longer knows this fence: it would
    // stay "pending" until GIVE_UP_MS, the picture blank meanwhile.
    if (gl.isContextLost() || losses.count !== generation) return "lost";
    // The status is refreshed between tasks, never by waiting (no clientWaitSync with a timeout).
    if (gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) return "pending";
    gl.deleteSync(sync);
    return "done";
  };
}

/** The 2-D context of `target`, its buffer resized to width x height first when it differs. */
function sizedContext(
  target: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D | null {
  if (target.width !== width || target.height !== height) {
    target.width = width;
    target.height = height;
  }
  return width === 0 || height === 0 ? null : target.getContext("2d", { alpha: true });
}

/** Copy `source` into `target` (a synchronous read-back without GPU compositing). */
function copyCanvas(source: HTMLCanvasElement, target: HTMLCanvasElement): void {
  const ctx = sizedContext(target, source.width, source.height);
  if (!ctx) return;
  ctx.clearRect(0, 0, target.width, target.height);
  ctx.drawImage(source, 0, 0);
}

/** The context as WebGL2, or null (WebGL1: no fences or pixel-pack buffers). */
function webgl2(gl: WebGLRenderingContext | WebGL2RenderingContext): WebGL2RenderingContext | null {
  return "fenceSync" in gl ? gl : null;
}

export function PresentWhenDrawn({
  target,
  children,
}: {
  target: RefObject<HTMLCanvasElement | null>;
  children?: ReactNode;
}) {
  const get = useThree((s) => s.get);
  const invalidate = useThree((s) => s.invalidate);
  // A drawing-buffer resize put off while a frame was in flight (see below), or null.
  const deferred = useMemo(() => ({ resize: null as (() => void) | null }), []);
  const readback = useMemo(() => new PixelReadback(), []);
  // Context losses so far: fences and the read-back buffer belong to the context they were made in.
  const losses = useMemo(() => ({ count: 0 }), []);
  useEffect(() => {
    const canvas = get().gl.domElement;
    const lost = () => {
      losses.count++;
      readback.contextLost();
    };
    canvas.addEventListener("webglcontextlost", lost);
    return () => {
      canvas.removeEventListener("webglcontextlost", lost);
      readback.dispose();
    };
  }, [get, readback, losses]);
  const presenter = useMemo(() => {
    // The drawing buffer's size when the frame in flight was drawn: a resize since cleared it.
    let drawnSize = "";
    const sizeOf = (c: HTMLCanvasElement) => `${c.width}x${c.height}`;
    // The frame's pixels, read into a pixel-pack buffer as soon as it is drawn (pixel-readback.ts):
    // presenting them is then a copy in main memory, not a wait for the GPU process.
    let readStarted = false;
    return new FramePresenter({
      render() {
        const { gl, scene, camera } = get();
        deferred.resize?.();
        gl.render(scene, camera);
        drawnSize = sizeOf(gl.domElement);
        const gl2 = webgl2(gl.getContext());
        // The drawing buffer can be smaller than the canvas (a size the GPU refuses): then the
        // copy scales it, as the page does with a WebGL canvas.
        const exact =
          gl.domElement.width === gl2?.drawingBufferWidth && gl.domElement.height === gl2.drawingBufferHeight;
        readStarted = gl2 !== null && exact && readback.start(gl2);
        return fenceNow(gl2, losses);
      },
      present() {
        const source = get().gl.domElement;
        if (sizeOf(source) !== drawnSize) return false;
        const out = target.current;
        const context = get().gl.getContext();
        // A lost context has nothing to show: the picture stays until the restored one draws.
        if (!out || context.isContextLost()) return true;
        const gl2 = webgl2(context);
        const image = readStarted && gl2 ? readback.finish(gl2) : null;
        readStarted = false;
        if (!image) copyCanvas(source, out);
        else sizedContext(out, image.width, image.height)?.putImageData(image, 0, 0);
        return true;
      },
      schedule(callback, ms) {
        const id = setTimeout(callback, ms);
        return () => clearTimeout(id);
      },
      requestFrame: () => invalidate(),
    });
  }, [get, invalidate, target, deferred, readback, losses]);
  useEffect(() => {
    presenter.start();
    return () => presenter.stop();
  }, [presenter]);
  // A resize of the drawing buffer (r3f calls gl.setSize when the view's box changes, e.g. when a
  // panel appears beside it as a job starts) waits, in the browser's WebGL, for the GPU to finish
  // everything issued so far: with a software-rasterised frame in flight that is 35-45 ms of the
  // main thread, twice per resize. So while a frame is in flight the new size waits, and is set
  // just before the next frame is drawn, when the GPU is idle.
  useEffect(() => {
    const { gl } = get();
    const setSize = gl.setSize;
    gl.setSize = (width: number, height: number, updateStyle?: boolean) => {
      if (!presenter.pending) {
        setSize.call(gl, width, height, updateStyle);
        return;
      }
      deferred.resize = () => {
        deferred.resize = null;
        setSize.call(gl, width, height, updateStyle);
      };
      presenter.frame();
    };
    return () => {
      gl.setSize = setSize;
      deferred.resize = null;
    };
  }, [get, presenter, deferred]);
  useFrame(() => presenter.frame(), 1);
  return <PresenterContext.Provider value={presenter}>{children}</PresenterContext.Provider>;
}
