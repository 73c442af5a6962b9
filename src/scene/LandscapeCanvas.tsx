/**
 * The 3D view of one landscape: a react-three-fiber canvas that renders on demand, with the
 * surface (2-D grid) or the curve (1-D grid), markers, the trajectory, axis labels, orbit
 * controls (optionally synchronised with another canvas) and a DOM hover readout.
 *
 * The view is focusable (role "application": it takes the keys while focused): arrows turn and
 * tilt the camera, W A S D move a grid cursor (marked on the surface, its reading in the hover
 * box), Enter or Space picks the point under it (as a click does), and the cursor's reading is
 * announced through a polite live region (view-keys.ts has the key map).
 *
 * Nothing here computes a landscape: values arrive in `view.snapshot.surfaces` (possibly being
 * filled in place while a job runs; `view.done` and `version` say when to look again).
 *
 * @example
 * <LandscapeCanvas view={view} options={options} scale={scale} version={v} onPick={setPicked}
 *   camera={{ state: shared, onChange: setShared }} testId="landscape-a" />
 */

import { Canvas } from "@react-three/fiber";
import {
  type FocusEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
} from "react";
import type { DrawnLandscape, PickedPoint, SurfaceViewOptions } from "../state/types";
import { axisTitles } from "./axis-labels";
import { type CameraKeys, CameraRig } from "./CameraRig";
import { CurveLayer } from "./CurveLayer";
import { type CameraSync, HOME_CAMERA_2D, homeCamera1D } from "./camera";
import { metricTitle } from "./format";
import { frameOf, type Heightfield, SURFACE_HEIGHT } from "./geometry";
import { KeyboardCursorMarker } from "./KeyboardCursorMarker";
import {
  clampCursor,
  type GridCursor,
  homeCursor,
  moveCursor,
  readAt,
  sameCursor,
  screenStepToCurve,
  screenStepToGrid,
} from "./keyboard-cursor";
import { Legend } from "./Legend";
import { frameLabels1D, frameLabels2D, type SceneLabel } from "./labels";
import { MarkerLegend } from "./MarkerLegend";
import type { GridReading } from "./markers";
import { PathLegend } from "./PathLegend";
import { PathOverlay } from "./PathOverlay";
import { PresentWhenDrawn } from "./PresentWhenDrawn";
import { planeOverlay } from "./path-lines";
import { announceReadout, hoverReadout, READOUT_METRICS } from "./readout";
import { Frame1D, Frame2D, Lights } from "./SceneDecor";
import { type LabelElements, LabelLayer, LabelProjector } from "./SceneLabels";
import { ShaderWarmup } from "./ShaderWarmup";
import { SurfaceLayer } from "./SurfaceLayer";
import type { SurfaceScale } from "./scale";
import { SCENE_KEYS_HELP, sceneKeyAction } from "./view-keys";
import "./scene.css";

export type { CameraSync, SharedCamera } from "./camera";

interface LandscapeCanvasProps {
  /** A computed or imported snapshot, or an imported surface file (DrawnLandscape). */
  view: DrawnLandscape | null;
  options: SurfaceViewOptions;
  /** Colour and height scale, owned by the parent so that compared views can share it. */
  scale: SurfaceScale;
  /** Click on the surface: the nearest grid point's coordinates and every surface's value there. */
  onPick?: (p: PickedPoint) => void;
  /** Shared camera: applied whenever `state` changes; `onChange` is called while the user orbits. */
  camera?: CameraSync;
  /** Bump when surface arrays were updated in place (besides `view.done` growing). */
  version?: number;
  /** Overlay a colour legend in the top-right corner of a 2-D view (off when the parent shows its own). */
  legend?: boolean;
  /**
   * false: the view stays mounted but out of sight (another tab is open): it is not offered to
   * the glTF and PNG exports. Unmounting it instead would lose its WebGL context, which waits for
   * the frame being drawn (0.4-1.4 s of a blocked page for a 201 x 201 surface here).
   */
  active?: boolean;
  /** Size of the trained-point and best-point markers relative to the usual (presentation: larger). */
  markerScale?: number;
  testId?: string;
  className?: string;
  /** More scene content, drawn and presented with the surface (the replay's markers and trails). */
  children?: ReactNode;
}

/**
 * Constant on purpose: r3f creates a new camera whenever these options change; the pose itself
 * is set by CameraRig.
 */
const CAMERA_OPTIONS = { position: HOME_CAMERA_2D.position, fov: 40, near: 0.01, far: 100 } as const;

export function LandscapeCanvas({
  view,
  options,
  scale,
  onPick,
  camera,
  version = 0,
  legend = false,
  active = true,
  markerScale = 1,
  testId,
  className,
  children,
}: LandscapeCanvasProps) {
  const hoverRef = useRef<HTMLDivElement>(null);
  const presentRef = useRef<HTMLCanvasElement>(null);
  const resetRef = useRef<(() => void) | null>(null);
  const labelElements = useRef<LabelElements>(new Map());
  const heightfield = useRef<Heightfield | null>(null);
  const liveRef = useRef<HTMLDivElement>(null);
  const cameraKeys = useRef<CameraKeys | null>(null);
  const redrawCursor = useRef<(() => void) | null>(null);
  // The keyboard cursor: where it is (kept while the view is unfocused, reset with the grid) and
  // whether it is shown (`shown`, read by the marker; null while the view has no keyboard focus).
  const keyCursor = useRef<{ at: GridCursor; axes: unknown } | null>(null);
  const shown = useRef<GridCursor | null>(null);
  const keysHelpId = useId();
  // Latest props for the stable callbacks below (they run from three's event handlers).
  const latest = useRef({ view, options, onPick });
  useEffect(() => {
    latest.current = { view, options, onPick };
  });

  /** The reading under the shown keyboard cursor (null while it is hidden). */
  const cursorReading = useCallback((): GridReading | null => {
    const v = latest.current.view;
    if (!shown.current || !v) return null;
    const axes = v.snapshot.grid.axes;
    if (axes.length !== 1 && axes.length !== 2) return null;
    return readAt(frameOf(axes), v.snapshot.surfaces, shown.current);
  }, []);

  /** The hover box shows `r` (the pointer's reading), or the keyboard cursor's, or nothing. */
  const onHover = useCallback(
    (r: GridReading | null) => {
      const el = hoverRef.current;
      if (!el) return;
      const v = latest.current.view;
      const reading = r ?? cursorReading();
      if (!reading || !v) {
        el.hidden = true;
        return;
      }
      el.textContent = hoverReadout({
        axes: v.snapshot.grid.axes,
        reading,
        metric: latest.current.options.metric,
      });
      el.hidden = false;
    },
    [cursorReading],
  );

  /** The keyboard cursor's grid point, started at the trained point and clamped to the grid. */
  const cursorAt = (): GridCursor | null => {
    const v = latest.current.view;
    const axes = v?.snapshot.grid.axes;
    if (!axes || (axes.length !== 1 && axes.length !== 2)) return null;
    const frame = frameOf(axes);
    const kept = keyCursor.current;
    const at =
      kept && kept.axes === axes ? clampCursor(kept.at, frame.x.count, frame.y.count) : homeCursor(frame);
    keyCursor.current = { at, axes };
    return at;
  };

  /** Show (or hide, null) the keyboard cursor: marker, hover box and, with `say`, the live region. */
  const showCursor = (at: GridCursor | null, say?: string) => {
    shown.current = at;
    redrawCursor.current?.();
    onHover(null);
    const live = liveRef.current;
    const v = latest.current.view;
    if (!live) return;
    if (at === null || say === undefined || !v) return;
    const reading = cursorReading();
    if (!reading) return;
    const axes = v.snapshot.grid.axes;
    live.textContent = announceReadout({ axes, reading, metric: latest.current.options.metric }, say);
  };

  const onPickGrid = useCallback((r: GridReading) => {
    // A click moves the keyboard cursor there too, so the keys go on from the picked point.
    const axes = latest.current.view?.snapshot.grid.axes;
    const at = { ix: r.ix, iy: r.iy };
    if (axes) keyCursor.current = { at, axes };
    if (shown.current && !sameCursor(shown.current, at)) {
      shown.current = at;
      redrawCursor.current?.();
    }
    const pick = latest.current.onPick;
    if (!pick) return;
    const values: PickedPoint["values"] = {};
    for (const m of READOUT_METRICS) if (m in r.values) values[m] = r.values[m];
    pick({ x: r.x, y: r.y, values });
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Only the view itself: keys typed anywhere else (controls, legend) are not ours.
    if (e.target !== e.currentTarget) return;
    const action = sceneKeyAction(e);
    if (!action) return;
    e.preventDefault();
    if (action.kind === "orbit") return cameraKeys.current?.orbit(action.move);
    if (action.kind === "reset-camera") return resetRef.current?.();
    const at = cursorAt();
    const v = latest.current.view;
    if (!at || !v) return;
    if (action.kind === "cursor") {
      const axes = v.snapshot.grid.axes;
      const azimuth = cameraKeys.current?.azimuth() ?? 0;
      const { dx, dy } =
        axes.length === 1
          ? { dx: screenStepToCurve(action.step, azimuth), dy: 0 }
          : screenStepToGrid(action.step, azimuth);
      // W and S on a curve: nothing to move along.
      if (dx === 0 && dy === 0) return;
      const frame = frameOf(axes);
      const next = moveCursor(at, dx, dy, frame.x.count, frame.y.count);
      keyCursor.current = { at: next, axes };
      return showCursor(next, sameCursor(at, next) ? "Edge of the grid:" : "");
    }
    // Pick: the same as a click on that grid point.
    showCursor(at, latest.current.onPick ? "Picked" : "");
    const reading = cursorReading();
    if (reading) onPickGrid(reading);
  };

  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    // Keyboard focus shows the cursor at once; a mouse click (no focus ring) waits for a key.
    if (e.currentTarget.matches(":focus-visible")) showCursor(cursorAt(), "Cursor at");
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (e.target === e.currentTarget) showCursor(null);
  };

  const snapshot = view?.snapshot;
  const axes = snapshot?.grid.axes;
  const dims = axes?.length ?? 0;
  const values = snapshot?.surfaces[options.metric];
  const usable = values !== undefined && (dims === 1 || dims === 2);
  // Paths between minima, when this landscape is their plane.
  const paths = useMemo(() => planeOverlay(snapshot), [snapshot]);
  const probe = view?.pathProbe ?? null;
  // A 1-D curve is framed like a plot, so its home follows the height; a 2-D home stays put.
  const top1D = dims === 1 ? SURFACE_HEIGHT * options.exaggeration : 0;
  const home = useMemo(() => (dims === 1 ? homeCamera1D(top1D) : HOME_CAMERA_2D), [dims, top1D]);

  const clipped = options.clipQuantile < 1;
  const directions = snapshot?.directions;
  const labels = useMemo<SceneLabel[]>(() => {
    if (!usable || !axes) return [];
    // Hessian axes carry their eigenvector and eigenvalue ("x: top eigenvector, λ = 12.3").
    const titles = axisTitles({ grid: { axes }, directions });
    const titled = axes.map((a, k) => ({ ...a, label: titles[k] }));
    return dims === 2
      ? frameLabels2D(titled[0], titled[1], scale, options.exaggeration, clipped)
      : frameLabels1D(titled[0], options.metric, scale, options.exaggeration, clipped);
  }, [usable, axes, directions, dims, scale, options.exaggeration, options.metric, clipped]);

  let message: string | null = null;
  if (!view) message = "No landscape yet";
  else if (dims !== 1 && dims !== 2) message = `Cannot draw a grid with ${dims} axes`;
  // Between a job's snapshot and its first (coarse) values the surface is on its way, not missing.
  else if (!values && view.done < view.total)
    message = `Computing the ${metricTitle(options.metric)} ${dims === 1 ? "curve" : "surface"}…`;
  else if (!values) message = `This snapshot has no ${metricTitle(options.metric)} surface`;

  const progress = view && view.total > 0 && view.done < view.total ? view.done / view.total : null;

  const frame = useMemo(() => (axes && (dims === 1 || dims === 2) ? frameOf(axes) : null), [axes, dims]);
  const what = dims === 1 ? "curve" : "surface";

  return (
    <div
      className={`scene-root${className ? ` ${className}` : ""}`}
      data-testid={testId}
      data-dims={dims}
      role="application"
      aria-roledescription="3D view"
      aria-label={`3D ${what} of ${metricTitle(options.metric)}`}
      aria-describedby={keysHelpId}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: an "application" takes the keys while focused
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      onBlur={onBlur}
    >
      {/* The stage: the picture and what is pinned over it. The keys of its markers and paths sit
          in a strip below (never over the axis labels). */}
      <div className="scene-stage">
        <Canvas
          className="scene-gl"
          frameloop="demand"
          flat
          dpr={[1, 2]}
          camera={CAMERA_OPTIONS}
          gl={{ antialias: true, preserveDrawingBuffer: true }}
          onPointerMissed={() => onHover(null)}
          onCreated={({ gl, invalidate }) => {
            // After a GPU reset the context comes back empty: draw again (frameloop is "demand").
            gl.domElement.addEventListener("webglcontextrestored", () => invalidate());
          }}
          onDoubleClick={() => resetRef.current?.()}
        >
          <PresentWhenDrawn target={presentRef}>
            <Lights />
            <ShaderWarmup />
            <CameraRig home={home} sync={camera} resetRef={resetRef} keysRef={cameraKeys} />
            {usable && snapshot && axes && dims === 2 && (
              <>
                <SurfaceLayer
                  snapshot={snapshot}
                  values={values}
                  done={view.done}
                  preview={view.total > 0 && view.done === 0}
                  version={version}
                  options={options}
                  scale={scale}
                  trajectory={view.trajectory}
                  onHover={onHover}
                  onPick={onPickGrid}
                  heightfield={heightfield}
                  exportKey={active ? testId : undefined}
                  markerScale={markerScale}
                />
                {paths && (
                  <PathOverlay
                    overlay={paths}
                    axes={axes}
                    heightfield={heightfield}
                    exaggeration={options.exaggeration}
                    probe={probe}
                    redraw={[values, view.done, version, scale]}
                  />
                )}
                <Frame2D exaggeration={options.exaggeration} />
              </>
            )}
            {usable && snapshot && axes && dims === 1 && (
              <>
                <CurveLayer
                  snapshot={snapshot}
                  values={values}
                  done={view.done}
                  version={version}
                  options={options}
                  scale={scale}
                  onHover={onHover}
                  onPick={onPickGrid}
                  exportKey={active ? testId : undefined}
                />
                <Frame1D exaggeration={options.exaggeration} />
              </>
            )}
            {usable && frame && (
              <KeyboardCursorMarker
                cursor={shown}
                frame={frame}
                values={values}
                scale={scale}
                exaggeration={options.exaggeration}
                heightfield={dims === 2 ? heightfield : undefined}
                redrawRef={redrawCursor}
              />
            )}
            <LabelProjector labels={labels} elements={labelElements} heightfield={heightfield} />
            {children}
          </PresentWhenDrawn>
        </Canvas>
        {/* What the user sees: the finished frames of the hidden WebGL canvas (PresentWhenDrawn). */}
        <canvas
          ref={presentRef}
          className="scene-present"
          data-testid={testId ? `${testId}-picture` : undefined}
        />
        <LabelLayer labels={labels} elements={labelElements} />
        <div ref={hoverRef} className="scene-hover" hidden />
        {/* Written through the ref only: what the keyboard cursor reads, announced politely. */}
        <div
          ref={liveRef}
          className="scene-live"
          aria-live="polite"
          aria-atomic="true"
          data-testid={testId ? `${testId}-live` : undefined}
        />
        <div id={keysHelpId} className="scene-keys">
          {SCENE_KEYS_HELP}
        </div>
        {progress !== null && view && (
          <div className="scene-badge">
            computing {Math.floor(progress * 100)}% ({view.done.toLocaleString("en")} /{" "}
            {view.total.toLocaleString("en")})
          </div>
        )}
        {message && <div className="scene-message">{message}</div>}
        {legend && usable && dims === 2 && (
          <div className="scene-legend-overlay">
            <Legend scale={scale} colormap={options.colormap} metric={options.metric} clipped={clipped} />
          </div>
        )}
      </div>
      {/* What the dots and lines are: the markers' key, or a paths plane's own (PathLegend). The
          strip keeps its line before a surface is there (no snapshot yet, or its first values on
          their way), so that the picture does not shrink when they arrive: a resize of the
          drawing buffer while the surface is drawn costs the page a long task. */}
      {dims !== 1 && (
        <div className="scene-key-strip">
          {usable && dims === 2 ? (
            paths ? (
              <PathLegend probe={probe !== null} className="scene-path-legend" testId="path-legend-3d" />
            ) : (
              <MarkerLegend metric={options.metric} trajectory={Boolean(view?.trajectory)} />
            )
          ) : null}
        </div>
      )}
    </div>
  );
}
