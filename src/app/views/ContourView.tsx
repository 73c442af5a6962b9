/**
 * 2-D heatmap + contour lines of one surface of a landscape, with axes, the centre (theta) and
 * best-point markers, the training trajectory, a hover readout and click-to-pick. Surfaces are
 * drawn at grid resolution and scaled up, so in-place updates (`version`) repaint in a few ms.
 * Hover goes straight to the DOM through refs; nothing per-pointer-move touches React state.
 *
 * The plot is focusable (role "application"): arrows (or W A S D) move a grid cursor, Shift by
 * five steps, Home puts it back on the trained point, Enter or Space picks the point under it (as a
 * click does); the cursor's reading is announced through a polite live region.
 */
import {
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
} from "react";
import { axisValue, type GridAxis } from "../../core/landscape/grid";
import { axisTitles } from "../../scene/axis-labels";
import { frameOf } from "../../scene/geometry";
import { type GridCursor, homeCursor, moveCursor, readAt, sameCursor } from "../../scene/keyboard-cursor";
import { PathLegend } from "../../scene/PathLegend";
import { type PlaneOverlay, planeOverlay } from "../../scene/path-lines";
import { announceReadout } from "../../scene/readout";
import type { SurfaceScale } from "../../scene/scale";
import { CONTOUR_KEYS_HELP, contourKeyAction } from "../../scene/view-keys";
import type { DrawnLandscape, PickedPoint, SurfaceViewOptions, TrajectoryView } from "../../state/types";
import { type ContourLayers, paintContour, prepareLayers } from "./contour-paint";
import { type PlotFrame, toCanvasX, toCanvasY } from "./frame";
import { type GridPoint, pickedPoint, pickGridPoint } from "./pick";
import { formatValue } from "./ticks";
import { useCanvas } from "./useCanvas";
import { ViewMessage } from "./ViewMessage";
import "./views.css";

interface ContourViewProps {
  /** null before there is a landscape: a short message instead. */
  view: DrawnLandscape | null;
  options: SurfaceViewOptions;
  /** The shared colour scale (the 3D view and the legend use the same one). */
  scale: SurfaceScale;
  /** Click on the plot: the nearest grid point and every surface's value there. */
  onPick?: (point: PickedPoint) => void;
  /** Bump when the surface arrays were updated in place. */
  version?: number;
  /** The point picked for inspection (grid coordinates), marked on the plot; null: none. */
  picked?: { x: number; y: number } | null;
  testId?: string;
}

/** @example <ContourView view={landscape} options={viewOptions} scale={scale} version={v} onPick={setPicked} /> */
export function ContourView({
  view,
  options,
  scale,
  onPick,
  version = 0,
  picked = null,
  testId,
}: ContourViewProps) {
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
        picked={picked}
        testId={testId}
      />
    </div>
  );
}

function metricTitle(metric: string): string {
  return metric.replace(/_/g, " ");
}

/** "x = PC1 (62.3% of the path's variance) · y = PC2 (20.1%)": which component each axis is. */
function explainedNote(axes: readonly GridAxis[], t: TrajectoryView): string {
  const part = (k: number) => `${axes[k]?.label ?? `axis ${k + 1}`} = PC${k + 1}`;
  const pct = (k: number) => `${(100 * t.explained[k]).toFixed(1)}%`;
  return `${part(0)} (${pct(0)} of the path's variance) \u00b7 ${part(1)} (${pct(1)})`;
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
  picked?: { x: number; y: number } | null;
  /** The view's test id: the live region is `${testId}-live`. */
  testId?: string;
}

/** The grid point under a keyboard cursor (the heatmap's own GridPoint). */
function gridPointOf(axes: readonly GridAxis[], c: GridCursor): GridPoint {
  const [ax, ay] = axes;
  return {
    ix: c.ix,
    iy: c.iy,
    index: c.iy * ax.count + c.ix,
    x: axisValue(ax, c.ix),
    y: axisValue(ay, c.iy),
  };
}

function ContourPlot(props: ContourPlotProps) {
  const { surfaces, surface, axes, metric, scale, colormap, contours, trajectory, titles, version, onPick } =
    props;
  const { paths, probe, picked, testId } = props;
  const pickedRing = useRef<HTMLDivElement | null>(null);
  const layers = useRef<ContourLayers | null>(null);
  const frame = useRef<PlotFrame | null>(null);
  const readout = useRef<HTMLDivElement | null>(null);
  const cursor = useRef<HTMLDivElement | null>(null);
  const live = useRef<HTMLDivElement | null>(null);
  const keysHelpId = useId();
  // The keyboard cursor (kept for this grid while the plot is unfocused) and whether it is shown.
  const keyCursor = useRef<{ at: GridCursor; axes: readonly GridAxis[] } | null>(null);
  const keyShown = useRef(false);
  const afterPaint = useRef<(() => void) | null>(null);

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
      // A new size moves the plot area: the keyboard cursor and the picked point follow.
      afterPaint.current?.();
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
    // The keyboard cursor stays while the plot has the focus.
    if (keyShown.current) return placeCursor(keyPoint());
    if (readout.current) {
      readout.current.textContent = hint;
      readout.current.classList.add("vw-muted");
    }
    if (cursor.current) cursor.current.hidden = true;
  };

  /** The status line and the ring for grid point `p` (the pointer's or the keyboard's). */
  function placeCursor(p: GridPoint) {
    const f = frame.current;
    if (!readout.current || !cursor.current) return;
    readout.current.classList.remove("vw-muted");
    readout.current.textContent = `${axes[0].label} ${formatValue(p.x, 3)}   ${axes[1].label} ${formatValue(p.y, 3)}   ${metricTitle(metric)} ${formatValue(surface[p.index])}`;
    cursor.current.hidden = !f;
    if (f) cursor.current.style.transform = `translate(${toCanvasX(f, p.x)}px, ${toCanvasY(f, p.y)}px)`;
  }

  /** The ring on the picked point (hidden when none is picked or it is off the plot). */
  function placePicked() {
    const ring = pickedRing.current;
    const f = frame.current;
    if (!ring) return;
    const inside =
      picked &&
      f &&
      picked.x >= Math.min(axes[0].min, axes[0].max) &&
      picked.x <= Math.max(axes[0].min, axes[0].max) &&
      picked.y >= Math.min(axes[1].min, axes[1].max) &&
      picked.y <= Math.max(axes[1].min, axes[1].max);
    ring.hidden = !inside;
    if (inside && f)
      ring.style.transform = `translate(${toCanvasX(f, picked.x)}px, ${toCanvasY(f, picked.y)}px)`;
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: placePicked reads the props it needs
  useEffect(() => placePicked(), [picked, axes]);

  /** The keyboard cursor's grid point: the trained point at first, kept while the grid stays. */
  function keyPoint(): GridPoint {
    const kept = keyCursor.current;
    const at = kept && kept.axes === axes ? kept.at : homeCursor(frameOf(axes));
    keyCursor.current = { at, axes };
    return gridPointOf(axes, at);
  }

  useEffect(() => {
    afterPaint.current = () => {
      if (keyShown.current) placeCursor(keyPoint());
      placePicked();
    };
  });

  /** Announce the keyboard cursor's reading (every surface there), after `prefix`. */
  const announce = (p: GridPoint, prefix: string) => {
    if (!live.current) return;
    const reading = readAt(frameOf(axes), surfaces, p);
    live.current.textContent = announceReadout({ axes, reading, metric }, prefix);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    const action = contourKeyAction(e);
    if (!action) return;
    e.preventDefault();
    const before = keyPoint();
    keyShown.current = true;
    if (action.kind === "pick") {
      placeCursor(before);
      announce(before, onPick ? "Picked" : "");
      onPick?.(pickedPoint(surfaces, before));
      return;
    }
    const at =
      action.kind === "home"
        ? homeCursor(frameOf(axes))
        : moveCursor(before, action.dx, action.dy, axes[0].count, axes[1].count);
    keyCursor.current = { at, axes };
    const p = gridPointOf(axes, at);
    placeCursor(p);
    announce(p, action.kind === "cursor" && sameCursor(before, at) ? "Edge of the grid:" : "");
  };

  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    // Keyboard focus shows the cursor at once; a click (no focus ring) waits for a key.
    if (!e.currentTarget.matches(":focus-visible")) return;
    keyShown.current = true;
    const p = keyPoint();
    placeCursor(p);
    announce(p, "Cursor at");
  };

  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    keyShown.current = false;
    hide();
  };

  useEffect(() => {
    if (!readout.current) return;
    readout.current.textContent = hint;
    readout.current.classList.add("vw-muted");
  }, [hint]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const p = pointAt(e);
    if (!p || !frame.current) return hide();
    placeCursor(p);
  };

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const p = pointAt(e);
    if (!p) return;
    // The keys go on from the clicked point.
    keyCursor.current = { at: { ix: p.ix, iy: p.iy }, axes };
    if (onPick) onPick(pickedPoint(surfaces, p));
  };

  return (
    <>
      <div
        className="vw-canvas-wrap"
        ref={containerRef}
        role="application"
        aria-roledescription="contour map"
        aria-label={`Contour map of ${metricTitle(metric)}`}
        aria-describedby={keysHelpId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: an "application" takes the keys while focused
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        onBlur={onBlur}
      >
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
        <div
          className="vw-picked"
          ref={pickedRing}
          data-testid={testId ? `${testId}-picked` : undefined}
          hidden
        />
        <div id={keysHelpId} className="vw-keys">
          {CONTOUR_KEYS_HELP}
        </div>
      </div>
      {/* Written through the ref only: the keyboard cursor's reading, announced politely. */}
      <div
        className="vw-live"
        ref={live}
        aria-live="polite"
        aria-atomic="true"
        data-testid={testId ? `${testId}-live` : undefined}
      />
      {/* Written through the ref only (textContent), so React never owns its text. */}
      <div className="vw-status vw-muted" ref={readout} />
    </>
  );
}
