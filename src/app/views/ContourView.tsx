/**
 * 2-D heatmap + contour lines of one surface of a landscape, with axes, the centre (theta) and
 * best-point markers, the training trajectory, a hover readout and click-to-pick. Surfaces are
 * drawn at grid resolution and scaled up, so in-place updates (`version`) repaint in a few ms.
 * Hover goes straight to the DOM through refs; nothing per-pointer-move touches React state.
 */
import { type MouseEvent, useCallback, useEffect, useMemo, useRef } from "react";
import type { GridAxis } from "../../core/landscape/grid";
import { axisTitles } from "../../scene/axis-labels";
import { PathLegend } from "../../scene/PathLegend";
import { type PlaneOverlay, planeOverlay } from "../../scene/path-lines";
import type { SurfaceScale } from "../../scene/scale";
import type { DrawnLandscape, PickedPoint, SurfaceViewOptions, TrajectoryView } from "../../state/types";
import { type ContourLayers, paintContour, prepareLayers } from "./contour-paint";
import { type PlotFrame, toCanvasX, toCanvasY } from "./frame";
import { type GridPoint, pickedPoint, pickGridPoint } from "./pick";
import { formatValue } from "./ticks";
import { useCanvas } from "./useCanvas";
import { ViewMessage } from "./ViewMessage";
import "./views.css";

export interface ContourViewProps {
  /** null before there is a landscape: a short message instead. */
  view: DrawnLandscape | null;
  options: SurfaceViewOptions;
  /** The shared colour scale (the 3D view and the legend use the same one). */
  scale: SurfaceScale;
  /** Click on the plot: the nearest grid point and every surface's value there. */
  onPick?: (point: PickedPoint) => void;
  /** Bump when the surface arrays were updated in place. */
  version?: number;
  testId?: string;
}

/** @example <ContourView view={landscape} options={viewOptions} scale={scale} version={v} onPick={setPicked} /> */
export function ContourView({ view, options, scale, onPick, version = 0, testId }: ContourViewProps) {
  const snapshot = view?.snapshot;
  // Hessian axes are titled with their eigenvector and eigenvalue.
  const titles = useMemo(() => (snapshot ? axisTitles(snapshot) : undefined), [snapshot]);
  // Paths between minima, when this landscape is their plane.
  const paths = useMemo(() => planeOverlay(snapshot), [snapshot]);
  if (!view) return <ViewMessage testId={testId} text="No landscape yet." />;
  const axes = view.snapshot.grid.axes;
  const surface = view.snapshot.surfaces[options.metric];
  let message: string | null = null;
  if (axes.length !== 2) message = "1-D landscape: the slice view shows it.";
  else if (!surface) message = `This landscape has no ${metricTitle(options.metric)} surface.`;
  else if (surface.length !== axes[0].count * axes[1].count)
    message = `The ${metricTitle(options.metric)} surface has ${surface.length} values for a ${axes[0].count} x ${axes[1].count} grid.`;
  if (message !== null || !surface) return <ViewMessage testId={testId} text={message ?? ""} />;
  const done = view.total > 0 && view.done < view.total ? view.done / view.total : null;
  return (
    <div className="vw-panel" data-testid={testId}>
      <div className="vw-header">
        <span className="vw-title">
          {metricTitle(options.metric)}
          {scale.log && <span className="vw-tag">log colour</span>}
          {done !== null && <span className="vw-tag">{`computing ${Math.floor(done * 100)}%`}</span>}
        </span>
        {view.trajectory && <span className="vw-note">{explainedNote(axes, view.trajectory)}</span>}
        {paths && <PathLegend probe={Boolean(view.pathProbe)} testId="path-legend-contour" />}
      </div>
      <ContourPlot
        surfaces={view.snapshot.surfaces}
        surface={surface}
        axes={axes}
        metric={options.metric}
        scale={scale}
        colormap={options.colormap}
        contours={options.contours}
        trajectory={view.trajectory}
        titles={titles}
        version={version}
        onPick={onPick}
        paths={paths}
        probe={view.pathProbe ?? null}
      />
    </div>
  );
}

function metricTitle(metric: string): string {
  return metric.replace(/_/g, " ");
}

/** "x: PC1 (62.3%) · y: PC2 (20.1%)" */
export function explainedNote(axes: readonly GridAxis[], t: TrajectoryView): string {
  return ["x", "y"]
    .map((name, k) => `${name}: ${axes[k]?.label ?? `axis ${k + 1}`} (${(100 * t.explained[k]).toFixed(1)}%)`)
    .join(" \u00b7 ");
}

interface ContourPlotProps {
  surfaces: Record<string, Float32Array>;
  surface: Float32Array;
  axes: readonly GridAxis[];
  metric: SurfaceViewOptions["metric"];
  scale: SurfaceScale;
  colormap: SurfaceViewOptions["colormap"];
  contours: number;
  trajectory?: TrajectoryView;
  titles?: readonly string[];
  version: number;
  onPick?: (point: PickedPoint) => void;
  paths?: PlaneOverlay | null;
  probe?: { x: number; y: number } | null;
}

function ContourPlot(props: ContourPlotProps) {
  const { surfaces, surface, axes, metric, scale, colormap, contours, trajectory, titles, version, onPick } =
    props;
  const { paths, probe } = props;
  const layers = useRef<ContourLayers | null>(null);
  const frame = useRef<PlotFrame | null>(null);
  const readout = useRef<HTMLDivElement | null>(null);
  const cursor = useRef<HTMLDivElement | null>(null);

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, width: number, height: number) => {
      const input = {
        surface,
        axes,
        metric,
        scale,
        colormap,
        contours,
        version,
        trajectory,
        titles,
        paths,
        probe,
      };
      layers.current = prepareLayers(input, layers.current);
      frame.current = paintContour(ctx, width, height, input, layers.current);
      // Tests and tools can tell the paths are on the picture.
      if (paths && frame.current) ctx.canvas.dataset.pathOverlay = "drawn";
      else delete ctx.canvas.dataset.pathOverlay;
    },
    [surface, axes, metric, scale, colormap, contours, version, trajectory, titles, paths, probe],
  );
  const { containerRef, canvasRef } = useCanvas(draw);

  const pointAt = (e: MouseEvent<HTMLCanvasElement>): GridPoint | null => {
    const f = frame.current;
    if (!f) return null;
    const box = e.currentTarget.getBoundingClientRect();
    return pickGridPoint(f, axes, e.clientX - box.left, e.clientY - box.top);
  };

  const hint = onPick ? "hover for values, click to pick a point" : "hover for values";
  const hide = () => {
    if (readout.current) {
      readout.current.textContent = hint;
      readout.current.classList.add("vw-muted");
    }
    if (cursor.current) cursor.current.hidden = true;
  };

  useEffect(() => {
    if (!readout.current) return;
    readout.current.textContent = hint;
    readout.current.classList.add("vw-muted");
  }, [hint]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const p = pointAt(e);
    const f = frame.current;
    if (!p || !f || !readout.current || !cursor.current) return hide();
    readout.current.classList.remove("vw-muted");
    readout.current.textContent = `${axes[0].label} ${formatValue(p.x, 3)}   ${axes[1].label} ${formatValue(p.y, 3)}   ${metricTitle(metric)} ${formatValue(surface[p.index])}`;
    cursor.current.hidden = false;
    cursor.current.style.transform = `translate(${toCanvasX(f, p.x)}px, ${toCanvasY(f, p.y)}px)`;
  };

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const p = pointAt(e);
    if (p && onPick) onPick(pickedPoint(surfaces, p));
  };

  return (
    <>
      <div className="vw-canvas-wrap" ref={containerRef}>
        <canvas
          ref={canvasRef}
          className={onPick ? "vw-canvas vw-pickable" : "vw-canvas"}
          role="img"
          aria-label={`${metricTitle(metric)} heatmap over ${titles?.[0] ?? axes[0].label} and ${titles?.[1] ?? axes[1].label}`}
          onPointerMove={onMove}
          onPointerLeave={hide}
          onClick={onClick}
        />
        <div className="vw-cursor" ref={cursor} hidden />
      </div>
      {/* Written through the ref only (textContent), so React never owns its text. */}
      <div className="vw-status vw-muted" ref={readout} />
    </>
  );
}
