/**
 * A 2-D landscape: the coloured surface mesh, its wireframe overlay, contour lines, the markers
 * (trained point, grid optimum, trajectory) and hover/click picking.
 *
 * The BufferGeometry is built once per grid size around the typed arrays of geometry.ts; every
 * later change (more grid points done, a new scale, colormap or exaggeration) refills those
 * arrays in place, marks the attributes dirty and calls invalidate().
 */

import { Line } from "@react-three/drei";
import { type ThreeEvent, useThree } from "@react-three/fiber";
import { type ComponentRef, type RefObject, useEffect, useLayoutEffect, useMemo, useRef } from "react";
import {
  BufferAttribute,
  BufferGeometry,
  DynamicDrawUsage,
  type InstancedMesh,
  type Mesh,
  Object3D,
} from "three";
import { MARK_SURFACE_FRAME } from "../state/marks";
import type { DrawnSnapshot, SurfaceViewOptions, TrajectoryView } from "../state/types";
import { contourLevels, contourPositions } from "./contours";
import { useSceneExport } from "./export-registry";
import {
  allocateSurfaceArrays,
  frameOf,
  type GridFrame,
  type Heightfield,
  updateSurfaceArrays,
  worldToGrid,
} from "./geometry";
import {
  type GridReading,
  gridExtremum,
  higherIsBetter,
  MARKER_COLORS,
  MARKER_RADIUS,
  pointOnSurface,
  readGrid,
  trajectoryWorld,
} from "./markers";
import { SURFACE_MATERIAL } from "./materials";
import { useAfterPresent } from "./PresentWhenDrawn";
import { pickHandlers } from "./pointer";
import { colormapLut, type SurfaceScale } from "./scale";

const TRAJECTORY_LIFT = 0.012;

export interface SurfaceLayerProps {
  snapshot: DrawnSnapshot;
  values: Float32Array;
  /** Bumped when `values` changed in place (grid points done, parent's version counter). */
  done: number;
  /**
   * The values are the coarse first picture (upsampled): drawn without contour lines, whose
   * tracing would delay that picture by a frame's worth of work; they come with the fine tiles.
   */
  preview?: boolean;
  version: number;
  options: SurfaceViewOptions;
  scale: SurfaceScale;
  trajectory?: TrajectoryView;
  onHover(reading: GridReading | null): void;
  onPick(reading: GridReading): void;
  /** Filled with the drawn heights (for the label occlusion test), emptied on unmount. */
  heightfield?: RefObject<Heightfield | null>;
  /** Registers the surface mesh for the glTF and PNG exports under this key (export-registry.ts). */
  exportKey?: string;
}

export function SurfaceLayer({
  snapshot,
  values,
  done,
  preview = false,
  version,
  options,
  scale,
  trajectory,
  onHover,
  onPick,
  heightfield,
  exportKey,
}: SurfaceLayerProps) {
  const invalidate = useThree((s) => s.invalidate);
  const axes = snapshot.grid.axes;
  const nx = axes[0].count;
  const ny = axes[1].count;
  const frame = useMemo<GridFrame>(() => frameOf(axes), [axes]);
  const lut = colormapLut(options.colormap);
  const { exaggeration, metric } = options;

  const arrays = useMemo(() => allocateSurfaceArrays(nx, ny), [nx, ny]);
  const { surface, wire } = useMemo(() => {
    const surface = new BufferGeometry();
    const position = new BufferAttribute(arrays.positions, 3).setUsage(DynamicDrawUsage);
    surface.setAttribute("position", position);
    surface.setAttribute("normal", new BufferAttribute(arrays.normals, 3).setUsage(DynamicDrawUsage));
    surface.setAttribute("color", new BufferAttribute(arrays.colors, 3).setUsage(DynamicDrawUsage));
    surface.setIndex(new BufferAttribute(arrays.index, 1).setUsage(DynamicDrawUsage));
    surface.setDrawRange(0, 0);
    const wire = new BufferGeometry();
    wire.setAttribute("position", position);
    wire.setIndex(new BufferAttribute(arrays.lineIndex, 1).setUsage(DynamicDrawUsage));
    wire.setDrawRange(0, 0);
    return { surface, wire };
  }, [arrays]);
  const contourGeometry = useMemo(() => new BufferGeometry(), []);
  useEffect(
    () => () => {
      surface.dispose();
      wire.dispose();
    },
    [surface, wire],
  );
  useEffect(() => () => contourGeometry.dispose(), [contourGeometry]);
  useEffect(
    () => () => {
      if (heightfield) heightfield.current = null;
    },
    [heightfield],
  );

  // Set when new values were written; the surface's next draw call marks the frame when that
  // frame is on screen (then clears it).
  const pendingFrame = useRef<{ done: number } | null>(null);
  const afterPresent = useAfterPresent();
  const markFrame = () => {
    const detail = pendingFrame.current;
    if (detail === null) return;
    pendingFrame.current = null;
    afterPresent("surface-frame", () => performance.mark(MARK_SURFACE_FRAME, { detail }));
  };
  const surfaceRef = useRef<Mesh>(null);
  useSceneExport(exportKey, surfaceRef, () => ({
    metric,
    axes,
    scale,
    exaggeration,
    colormap: options.colormap,
  }));
  const trainedRef = useRef<Mesh>(null);
  const optimumRef = useRef<Mesh>(null);
  const hoverRef = useRef<Mesh>(null);
  const pathRef = useRef<ComponentRef<typeof Line>>(null);
  const dotsRef = useRef<InstancedMesh>(null);

  // The trajectory's polyline has a fixed number of points per trajectory (its legs are split by
  // grid cells), so its geometry is made here once and only its heights change later.
  const pathBase = useMemo(() => {
    if (!trajectory || trajectory.coords.length < 4) return null;
    // Flat (exaggeration 0): the effect below writes the heights.
    const { path } = trajectoryWorld(frame, arrays.heights, trajectory.coords, 0, 0);
    const points: [number, number, number][] = [];
    for (let i = 0; i < path.length; i += 3) points.push([path[i], path[i + 1], path[i + 2]]);
    return points;
  }, [trajectory, frame, arrays]);
  const checkpointCount = trajectory ? Math.floor(trajectory.coords.length / 2) : 0;

  // biome-ignore lint/correctness/useExhaustiveDependencies: done and version signal that `values` changed in place
  useLayoutEffect(() => {
    updateSurfaceArrays(arrays, values, { scale, exaggeration, lut });
    for (const name of ["position", "normal", "color"]) surface.getAttribute(name).needsUpdate = true;
    if (surface.index) surface.index.needsUpdate = true;
    if (wire.index) wire.index.needsUpdate = true;
    surface.setDrawRange(0, arrays.indexCount);
    wire.setDrawRange(0, arrays.lineIndexCount);
    surface.computeBoundingSphere();
    wire.boundingSphere = surface.boundingSphere?.clone() ?? null;

    // Contour lines: reuse the buffer while it is large enough.
    const levels = preview ? [] : contourLevels(options.contours);
    const lines = levels.length > 0 ? contourPositions(arrays.heights, nx, ny, levels, exaggeration) : null;
    const needed = lines ? lines.length : 0;
    let attribute = contourGeometry.getAttribute("position") as BufferAttribute | undefined;
    if (!attribute || attribute.array.length < needed) {
      const capacity = Math.max(needed * 2, 3 * 4096);
      attribute = new BufferAttribute(new Float32Array(capacity), 3).setUsage(DynamicDrawUsage);
      contourGeometry.setAttribute("position", attribute);
    }
    if (lines) (attribute.array as Float32Array).set(lines);
    attribute.needsUpdate = true;
    contourGeometry.setDrawRange(0, needed / 3);
    contourGeometry.boundingSphere = surface.boundingSphere?.clone() ?? null;

    // Markers
    const trained = trainedRef.current;
    if (trained) {
      const inside = frame.x.min <= 0 && 0 <= frame.x.max && frame.y.min <= 0 && 0 <= frame.y.max;
      const p = pointOnSurface(frame, arrays.heights, 0, 0, exaggeration, MARKER_RADIUS * 0.5);
      trained.visible = inside && Number.isFinite(p[1]);
      if (trained.visible) trained.position.set(p[0], p[1], p[2]);
    }
    const optimum = optimumRef.current;
    if (optimum) {
      const best = gridExtremum(values, higherIsBetter(metric) ? "max" : "min");
      optimum.visible = best >= 0 && Number.isFinite(arrays.heights[best]);
      if (optimum.visible)
        optimum.position.set(
          arrays.positions[best * 3],
          arrays.positions[best * 3 + 1] + MARKER_RADIUS * 0.5,
          arrays.positions[best * 3 + 2],
        );
    }
    if (trajectory) {
      const fallback =
        metric === "train_loss" ? (i: number) => scale.normalize(trajectory.loss[i]) : undefined;
      const { path, dots } = trajectoryWorld(
        frame,
        arrays.heights,
        trajectory.coords,
        exaggeration,
        TRAJECTORY_LIFT,
        fallback,
      );
      const line = pathRef.current;
      if (line && pathBase && path.length === pathBase.length * 3) line.geometry.setPositions(path);
      const mesh = dotsRef.current;
      if (mesh) {
        const n = Math.min(mesh.count, dots.length / 3);
        for (let i = 0; i < n; i++) {
          dummy.position.set(dots[i * 3], dots[i * 3 + 1], dots[i * 3 + 2]);
          dummy.updateMatrix();
          mesh.setMatrixAt(i, dummy.matrix);
        }
        mesh.instanceMatrix.needsUpdate = true;
        mesh.computeBoundingSphere();
      }
    }
    if (heightfield) heightfield.current = { heights: arrays.heights, nx, ny, exaggeration };
    pendingFrame.current = { done };
    invalidate();
  }, [
    heightfield,
    arrays,
    surface,
    wire,
    contourGeometry,
    values,
    done,
    preview,
    version,
    scale,
    exaggeration,
    lut,
    metric,
    options.contours,
    frame,
    trajectory,
    pathBase,
    invalidate,
  ]);

  const reading = (e: ThreeEvent<PointerEvent | MouseEvent>): GridReading => {
    const [x, y] = worldToGrid(frame, e.point.x, e.point.z);
    return readGrid(frame, snapshot.surfaces, x, y);
  };

  const showHover = (r: GridReading | null) => {
    const marker = hoverRef.current;
    if (marker) {
      const i = r ? r.iy * nx + r.ix : -1;
      marker.visible = r !== null && Number.isFinite(arrays.heights[i]);
      if (marker.visible)
        marker.position.set(
          arrays.positions[i * 3],
          arrays.positions[i * 3 + 1],
          arrays.positions[i * 3 + 2],
        );
      invalidate();
    }
    onHover(r);
  };

  return (
    <group>
      <mesh
        ref={surfaceRef}
        geometry={surface}
        onAfterRender={markFrame}
        {...pickHandlers(reading, showHover, onPick)}
      >
        <meshLambertMaterial {...SURFACE_MATERIAL} />
      </mesh>
      <lineSegments geometry={wire} visible={options.wireframe} renderOrder={1}>
        <lineBasicMaterial color="#05070a" transparent opacity={0.45} depthWrite={false} />
      </lineSegments>
      <lineSegments geometry={contourGeometry} visible={options.contours > 0} renderOrder={2}>
        <lineBasicMaterial color="#ffffff" transparent opacity={0.6} depthWrite={false} />
      </lineSegments>
      <mesh ref={trainedRef} visible={false}>
        <sphereGeometry args={[MARKER_RADIUS, 20, 14]} />
        <meshLambertMaterial color={MARKER_COLORS.trained} emissive="#555555" />
      </mesh>
      <mesh ref={optimumRef} visible={false}>
        <sphereGeometry args={[MARKER_RADIUS, 20, 14]} />
        <meshLambertMaterial color={MARKER_COLORS.optimum} emissive="#551030" />
      </mesh>
      <mesh ref={hoverRef} visible={false}>
        <sphereGeometry args={[MARKER_RADIUS * 0.6, 16, 10]} />
        <meshBasicMaterial color={MARKER_COLORS.hover} transparent opacity={0.85} />
      </mesh>
      {pathBase && <Line ref={pathRef} points={pathBase} color={MARKER_COLORS.trajectory} lineWidth={2.5} />}
      {checkpointCount > 0 && (
        <instancedMesh key={checkpointCount} ref={dotsRef} args={[undefined, undefined, checkpointCount]}>
          <sphereGeometry args={[MARKER_RADIUS * 0.45, 12, 8]} />
          <meshBasicMaterial color={MARKER_COLORS.trajectory} />
        </instancedMesh>
      )}
    </group>
  );
}

const dummy = new Object3D();
