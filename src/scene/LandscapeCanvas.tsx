/**
 * The 3D view of one landscape: a react-three-fiber canvas that renders on demand, with the
 * surface (2-D grid) or the curve (1-D grid), markers, the trajectory, axis labels, orbit
 * controls (optionally synchronised with another canvas) and a DOM hover readout.
 *
 * Nothing here computes a landscape: values arrive in `view.snapshot.surfaces` (possibly being
 * filled in place while a job runs; `view.done` and `version` say when to look again).
 *
 * @example
 * <LandscapeCanvas view={view} options={options} scale={scale} version={v} onPick={setPicked}
 *   camera={{ state: shared, onChange: setShared }} testId="landscape-a" />
 */

import { Canvas } from "@react-three/fiber";
import { useCallback, useEffect, useMemo, useRef } from "react";
import type { DrawnLandscape, PickedPoint, SurfaceMetric, SurfaceViewOptions } from "../state/types";
import { axisTitles } from "./axis-labels";
import { CameraRig } from "./CameraRig";
import { CurveLayer } from "./CurveLayer";
import { type CameraSync, HOME_CAMERA_2D, homeCamera1D } from "./camera";
import { formatValue, metricTitle } from "./format";
import { type Heightfield, SURFACE_HEIGHT } from "./geometry";
import { Legend } from "./Legend";
import { frameLabels1D, frameLabels2D, type SceneLabel } from "./labels";
import type { GridReading } from "./markers";
import { PathLegend } from "./PathLegend";
import { PathOverlay } from "./PathOverlay";
import { PresentWhenDrawn } from "./PresentWhenDrawn";
import { planeOverlay } from "./path-lines";
import { Frame1D, Frame2D, Lights } from "./SceneDecor";
import { type LabelElements, LabelLayer, LabelProjector } from "./SceneLabels";
import { ShaderWarmup } from "./ShaderWarmup";
import { SurfaceLayer } from "./SurfaceLayer";
import type { SurfaceScale } from "./scale";
import "./scene.css";

export type { CameraSync, SharedCamera } from "./camera";

export interface LandscapeCanvasProps {
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
  testId?: string;
  className?: string;
}

const KNOWN_METRICS = [
  "train_loss",
  "test_loss",
  "train_accuracy",
  "test_accuracy",
] as const satisfies readonly SurfaceMetric[];

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
  testId,
  className,
}: LandscapeCanvasProps) {
  const hoverRef = useRef<HTMLDivElement>(null);
  const presentRef = useRef<HTMLCanvasElement>(null);
  const resetRef = useRef<(() => void) | null>(null);
  const labelElements = useRef<LabelElements>(new Map());
  const heightfield = useRef<Heightfield | null>(null);
  // Latest props for the stable callbacks below (they run from three's event handlers).
  const latest = useRef({ view, options, onPick });
  useEffect(() => {
    latest.current = { view, options, onPick };
  });

  const onHover = useCallback((r: GridReading | null) => {
    const el = hoverRef.current;
    if (!el) return;
    const v = latest.current.view;
    if (!r || !v) {
      el.hidden = true;
      return;
    }
    const axes = v.snapshot.grid.axes;
    const metric = latest.current.options.metric;
    const where =
      axes.length > 1
        ? `${axes[0].label} ${formatValue(r.x, 3)}   ${axes[1].label} ${formatValue(r.y, 3)}`
        : `${axes[0].label} ${formatValue(r.x, 3)}`;
    // The chosen metric first, then every other surface at that point (loss and accuracy).
    const lines = [metric, ...KNOWN_METRICS.filter((m) => m !== metric && r.values[m] !== undefined)].map(
      (m) => `${metricTitle(m)} ${formatValue(r.values[m], 4)}`,
    );
    el.textContent = `${where}\n${lines.join("\n")}`;
    el.hidden = false;
  }, []);

  const onPickGrid = useCallback((r: GridReading) => {
    const pick = latest.current.onPick;
    if (!pick) return;
    const values: PickedPoint["values"] = {};
    for (const m of KNOWN_METRICS) if (m in r.values) values[m] = r.values[m];
    pick({ x: r.x, y: r.y, values });
  }, []);

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
  else if (!values) message = `This snapshot has no ${metricTitle(options.metric)} surface`;

  const progress = view && view.total > 0 && view.done < view.total ? view.done / view.total : null;

  return (
    <div className={`scene-root${className ? ` ${className}` : ""}`} data-testid={testId} data-dims={dims}>
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
          <CameraRig home={home} sync={camera} resetRef={resetRef} />
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
                exportKey={testId}
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
                exportKey={testId}
              />
              <Frame1D exaggeration={options.exaggeration} />
            </>
          )}
          <LabelProjector labels={labels} elements={labelElements} heightfield={heightfield} />
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
      {progress !== null && view && (
        <div className="scene-badge">
          computing {Math.floor(progress * 100)}% ({view.done.toLocaleString("en")} /{" "}
          {view.total.toLocaleString("en")})
        </div>
      )}
      {message && <div className="scene-message">{message}</div>}
      {paths && usable && dims === 2 && (
        <PathLegend probe={probe !== null} className="scene-path-legend" testId="path-legend-3d" />
      )}
      {legend && usable && dims === 2 && (
        <div className="scene-legend-overlay">
          <Legend scale={scale} colormap={options.colormap} metric={options.metric} clipped={clipped} />
        </div>
      )}
    </div>
  );
}
