/**
 * Colour legend of a surface: gradient bar of the colormap, evenly spaced value ticks from the
 * shared SurfaceScale (values, also on log scales) and the metric as title.
 */
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { fittingTickCount, gradientCss, legendTicks, metricTitle } from "./format";
import type { ColormapName, SurfaceScale } from "./scale";
import "./scene.css";

interface LegendProps {
  scale: SurfaceScale;
  colormap: ColormapName;
  /** Metric name shown as the title, e.g. "train_loss". */
  metric: string;
  /** Values above the top were clipped (clipQuantile < 1): the top tick reads "≥ v". */
  clipped?: boolean;
  /** Number of ticks (4-6 reads well). */
  ticks?: number;
  /** Nothing is drawn: no ticks (a scale without values would show made-up ones). */
  empty?: boolean;
  className?: string;
  testId?: string;
}

/** @example <Legend scale={scale} colormap="viridis" metric="train_loss" clipped /> */
export function Legend({
  scale,
  colormap,
  metric,
  clipped = false,
  ticks = 5,
  empty = false,
  className,
  testId,
}: LegendProps) {
  const background = useMemo(() => gradientCss(colormap), [colormap]);
  // As many ticks as fit side by side at this width and font size (never two labels on each other).
  const ticksRef = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState<{ width: number; fontPx: number } | null>(null);
  useLayoutEffect(() => {
    const el = ticksRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      const fontPx = Number.parseFloat(getComputedStyle(el).fontSize) || 12;
      const width = el.clientWidth;
      setRoom((r) => (r && r.width === width && r.fontPx === fontPx ? r : { width, fontPx }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const tickList = useMemo(() => {
    const wanted = legendTicks(scale, ticks);
    if (!room || room.width <= 0) return wanted;
    const longest = Math.max(...wanted.map((t) => t.label.length)) + (clipped ? 2 : 0);
    const count = fittingTickCount(room.width, longest, room.fontPx, ticks);
    return count === wanted.length ? wanted : legendTicks(scale, count);
  }, [scale, ticks, room, clipped]);
  const last = tickList.length - 1;
  return (
    <figure className={`scene-legend${className ? ` ${className}` : ""}`} data-testid={testId}>
      <figcaption className="scene-legend-title">
        {metricTitle(metric)}
        {scale.log && <span className="scene-legend-tag">log</span>}
      </figcaption>
      <div className="scene-legend-bar" style={{ background }} />
      <div className="scene-legend-ticks" ref={ticksRef}>
        {empty && <span className="scene-legend-tick first">no landscape</span>}
        {(empty ? [] : tickList).map((tick, k) => (
          <span
            key={tick.t}
            className={`scene-legend-tick${k === 0 ? " first" : k === last ? " last" : ""}`}
            style={{ left: `${tick.t * 100}%` }}
          >
            {k === last && clipped ? `≥ ${tick.label}` : tick.label}
          </span>
        ))}
      </div>
    </figure>
  );
}
