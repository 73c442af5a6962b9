/**
 * Takes over react-three-fiber's rendering (a useFrame callback with priority 1): each frame is
 * drawn into the r3f canvas, which stays hidden, and copied into the visible `target` canvas once
 * the GPU has finished it (frame-presenter.ts says why: the main thread never waits for a
 * software-rasterised frame). Children may run code when their frame is on screen through
 * useAfterPresent (DOM labels, the surface-frame mark).
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
function fenceNow(gl: WebGLRenderingContext | WebGL2RenderingContext): (() => FenceStatus) | null {
  if (!("fenceSync" in gl)) return null;
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  if (!sync) return null;
  gl.flush();
  return () => {
    if (gl.isContextLost()) return "lost";
    // The status is refreshed between tasks, never by waiting (no clientWaitSync with a timeout).
    if (gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) return "pending";
    gl.deleteSync(sync);
    return "done";
  };
}

/** Copy `source` into `target`, resizing the target's buffer to the source's when they differ. */
function copyCanvas(source: HTMLCanvasElement, target: HTMLCanvasElement): void {
  if (target.width !== source.width || target.height !== source.height) {
    target.width = source.width;
    target.height = source.height;
  }
  const ctx = target.getContext("2d", { alpha: true });
  if (!ctx || source.width === 0 || source.height === 0) return;
  ctx.clearRect(0, 0, target.width, target.height);
  ctx.drawImage(source, 0, 0);
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
  const presenter = useMemo(() => {
    // The drawing buffer's size when the frame in flight was drawn: a resize since cleared it.
    let drawnSize = "";
    const sizeOf = (c: HTMLCanvasElement) => `${c.width}x${c.height}`;
    return new FramePresenter({
      render() {
        const { gl, scene, camera } = get();
        deferred.resize?.();
        gl.render(scene, camera);
        drawnSize = sizeOf(gl.domElement);
        return fenceNow(gl.getContext());
      },
      present() {
        const source = get().gl.domElement;
        if (sizeOf(source) !== drawnSize) return false;
        const out = target.current;
        if (out) copyCanvas(source, out);
        return true;
      },
      schedule(callback, ms) {
        const id = setTimeout(callback, ms);
        return () => clearTimeout(id);
      },
      requestFrame: () => invalidate(),
    });
  }, [get, invalidate, target, deferred]);
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
