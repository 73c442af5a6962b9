/**
 * A canvas that fills its container: sized with a ResizeObserver (device-pixel-ratio aware) and
 * repainted at most once per animation frame when `draw` changes or the container resizes.
 * Nothing here goes through React state.
 */
import { type RefObject, useCallback, useEffect, useRef } from "react";

/** Paints the whole canvas in CSS pixels; the context is already scaled and cleared. */
export type Painter = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;

interface CanvasHandles {
  containerRef: RefObject<HTMLDivElement | null>;
  canvasRef: RefObject<HTMLCanvasElement | null>;
  /** Schedule a repaint (coalesced into the next animation frame). */
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
    if (frame.current === 0) frame.current = requestAnimationFrame(paint);
  }, [paint]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      size.current = { width: box.width, height: box.height };
      redraw();
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      if (frame.current !== 0) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [redraw]);

  useEffect(() => {
    // A new painter means new props: repaint with it.
    drawRef.current = draw;
    redraw();
  }, [draw, redraw]);

  return { containerRef, canvasRef, redraw };
}
