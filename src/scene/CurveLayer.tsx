/**
 * A 1-D landscape: the curve as a thick coloured line in the plane z = 0, the trained point
 * (coordinate 0) and the grid optimum as markers, and hover/click over the plot area.
 * A 1-D grid is small (at most a few thousand points), so the line is rebuilt on each update.
 */

import { Line } from "@react-three/drei";
import { type ThreeEvent, useThree } from "@react-three/fiber";
import { useMemo, useRef } from "react";
import type { Mesh } from "three";
import type { DrawnSnapshot, SurfaceViewOptions } from "../state/types";
import { useSceneExport } from "./export-registry";
import { curveSegments, frameOf, indexToCoord, SURFACE_HEIGHT, worldToGrid } from "./geometry";
import {
  type GridReading,
  gridExtremum,
  higherIsBetter,
  MARKER_COLORS,
  MARKER_RADIUS,
  pointOnSurface,
  readGrid,
} from "./markers";
import { pickHandlers } from "./pointer";
import { colormapLut, type SurfaceScale } from "./scale";

interface CurveLayerProps {
  snapshot: DrawnSnapshot;
  values: Float32Array;
  done: number;
  version: number;
  options: SurfaceViewOptions;
  scale: SurfaceScale;
  onHover(reading: GridReading | null): void;
  onPick(reading: GridReading): void;
  /** Registers the canvas for the PNG export under this key (export-registry.ts). */
  exportKey?: string;
}

type Vec3 = [number, number, number];

export function CurveLayer({
  snapshot,
  values,
  done,
  version,
  options,
  scale,
  onHover,
  onPick,
  exportKey,
}: CurveLayerProps) {
  const invalidate = useThree((s) => s.invalidate);
  useSceneExport(exportKey, null);
  const axes = snapshot.grid.axes;
  const frame = useMemo(() => frameOf(axes), [axes]);
  const lut = colormapLut(options.colormap);
  const { exaggeration, metric } = options;

  // biome-ignore lint/correctness/useExhaustiveDependencies: done and version signal that `values` changed in place
  const curve = useMemo(() => {
    const { positions, colors, count } = curveSegments(values, { scale, exaggeration, lut });
    const points: Vec3[] = [];
    const pointColors: Vec3[] = [];
    for (let i = 0; i < count * 2; i++) {
      points.push([positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2]]);
      pointColors.push([colors[i * 3], colors[i * 3 + 1], colors[i * 3 + 2]]);
    }
    const heights = Float32Array.from(values, (v) => scale.normalize(v));
    const best = gridExtremum(values, higherIsBetter(metric) ? "max" : "min");
    const trained =
      frame.x.min <= 0 && 0 <= frame.x.max ? pointOnSurface(frame, heights, 0, 0, exaggeration) : null;
    const optimum =
      best >= 0 ? pointOnSurface(frame, heights, indexToCoord(frame.x, best), 0, exaggeration) : null;
    return { points, pointColors, heights, trained, optimum };
  }, [values, done, version, scale, exaggeration, lut, metric, frame]);

  const hoverRef = useRef<Mesh>(null);
  const top = SURFACE_HEIGHT * exaggeration;

  const reading = (e: ThreeEvent<PointerEvent | MouseEvent>) =>
    readGrid(frame, snapshot.surfaces, worldToGrid(frame, e.point.x, 0)[0], 0);

  const showHover = (r: GridReading | null) => {
    const marker = hoverRef.current;
    if (marker) {
      const p = r ? pointOnSurface(frame, curve.heights, r.x, 0, exaggeration) : null;
      marker.visible = p !== null && Number.isFinite(p[1]);
      if (p && marker.visible) marker.position.set(p[0], p[1], p[2]);
      invalidate();
    }
    onHover(r);
  };

  const at = (p: Vec3 | null): Vec3 | undefined =>
    p && Number.isFinite(p[1]) ? [p[0], p[1] + MARKER_RADIUS * 0.3, p[2]] : undefined;
  const trainedAt = at(curve.trained);
  const optimumAt = at(curve.optimum);

  return (
    <group>
      {curve.points.length >= 2 && (
        <Line points={curve.points} vertexColors={curve.pointColors} segments lineWidth={4} />
      )}
      {/* Invisible plane over the plot area: hover and click anywhere above or below the curve. */}
      <mesh position={[0, top / 2, 0]} {...pickHandlers(reading, showHover, onPick)}>
        <planeGeometry args={[2.1, top + 0.3]} />
        <meshBasicMaterial transparent opacity={0} depthWrite={false} />
      </mesh>
      {trainedAt && (
        <mesh position={trainedAt}>
          <sphereGeometry args={[MARKER_RADIUS, 20, 14]} />
          <meshLambertMaterial color={MARKER_COLORS.trained} emissive="#555555" />
        </mesh>
      )}
      {optimumAt && (
        <mesh position={optimumAt}>
          <sphereGeometry args={[MARKER_RADIUS, 20, 14]} />
          <meshLambertMaterial color={MARKER_COLORS.optimum} emissive="#551030" />
        </mesh>
      )}
      <mesh ref={hoverRef} visible={false}>
        <sphereGeometry args={[MARKER_RADIUS * 0.6, 16, 10]} />
        <meshBasicMaterial color={MARKER_COLORS.hover} transparent opacity={0.85} />
      </mesh>
    </group>
  );
}
