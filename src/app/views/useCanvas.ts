/**
 * A canvas that fills its container: sized with a ResizeObserver (device-pixel-ratio aware),
 * painted when the container is laid out at a new size, and repainted in a task of its own when
 * `draw` changes (several changes before it runs paint once). Not in an animation frame: the
 * frame also draws the 3D view of a growing landscape, and the two made one long task.
 * Nothing here goes through React state.
 */
import { type RefObject, useCallback, useEffect, useRef } from "react";

/** Paints the whole canvas in CSS pixels; the context is already scaled and cleared. */
export type Painter = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;

interface CanvasHandles {
  containerRef: RefObject<HTMLDivElement | null>;
  canvasRef: RefObject<HTMLCanvasElement | null>;
  /** Schedule a repaint (coalesced: one task paints every change made before it runs). */
  redraw: () => void;
}

/** @example const { containerRef, canvasRef } = useCanvas(useCallback((ctx, w, h) => ..., [data])); */
export function useCanvas(draw: Painter): CanvasHandles {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const drawRef = useRef(draw);
  const size = useRef({ width: 0, height: 0 });
  const frame = useRef(0);

  const paint = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const { width, height } = size.current;
    if (!canvas || width <= 0 || height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    drawRef.current(ctx, width, height);
  }, []);

  const redraw = useCallback(() => {
    if (frame.current === 0) frame.current = window.setTimeout(paint, 0);
  }, [paint]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      size.current = { width: box.width, height: box.height };
      // Painted now, in the frame that laid the container out (observers run after layout, before
      // paint): through requestAnimationFrame the picture waited for the next frame, and a canvas
      // that just appeared (the data plot when a training lands) showed a blank frame first and
      // was painted into whatever ran next (the landscape's first picture). The canvas sits
      // absolutely in its container, so painting cannot resize what is observed.
      if (frame.current !== 0) clearTimeout(frame.current);
      paint();
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      if (frame.current !== 0) clearTimeout(frame.current);
      frame.current = 0;
    };
  }, [paint]);

  useEffect(() => {
    // A new painter means new props: repaint with it.
    drawRef.current = draw;
    redraw();
  }, [draw, redraw]);

  return { containerRef, canvasRef, redraw };
}
