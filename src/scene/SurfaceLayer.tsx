/**
 * A 2-D landscape: the coloured surface mesh, its wireframe overlay, contour lines, the markers
 * (trained point, grid optimum, trajectory) and hover/click picking.
 *
 * The geometries are made once per grid size and get their attributes from the first build.
 * Every change (more grid points done, a new scale, colormap or exaggeration) is built off the
 * main thread by the surface worker (core/surface/build.ts; on the main thread a 201 x 201 grid
 * took 30-130 ms per update here); the arrays it sends back replace the attributes' arrays, which
 * are marked dirty, then invalidate(). One build at a time, latest values only (latest-build.ts):
 * a result for older values is dropped, so the mesh, its contour lines and the markers always
 * come from one version of the values.
 *
 * Drawing a 201 x 201 mesh takes a software-rendered GPU (SwiftShader) 100-300 ms a frame, CPU
 * time taken from the page and the compute workers: while the camera moves and while a job fills
 * the grid, a decimated mesh over the same vertices (every lodStride-th row and column) is drawn
 * instead, and the full one again once the camera stops and the grid is complete. Picking walks
 * the grid cells under the pointer (surface-raycast.ts) instead of testing all 80,000 triangles
 * at every pointer move.
 */

import { Line } from "@react-three/drei";
import { type ThreeEvent, useThree } from "@react-three/fiber";
import {
  type ComponentRef,
  type RefObject,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  BufferAttribute,
  BufferGeometry,
  DynamicDrawUsage,
  type InstancedMesh,
  type Intersection,
  Matrix4,
  type Mesh,
  Object3D,
  Ray,
  type Raycaster,
  Sphere,
  Vector3,
} from "three";
import { buildSurfaceInWorker, surfaceWorkerAvailable } from "../compute/surface-bridge";
import { buildSurface, type SurfaceBuild, type SurfaceRequest } from "../core/surface/build";
import { lodStride } from "../core/surface/mesh";
import { MARK_SURFACE_FRAME } from "../state/marks";
import type { DrawnSnapshot, SurfaceViewOptions, TrajectoryView } from "../state/types";
import { contourLevels } from "./contours";
import { useSceneExport } from "./export-registry";
import { frameOf, type GridFrame, type Heightfield, worldToGrid } from "./geometry";
import { LatestBuild } from "./latest-build";
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
import { raycastSurface } from "./surface-raycast";

const TRAJECTORY_LIFT = 0.012;

interface SurfaceLayerProps {
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
  /** Size of the trained-point and best-point markers relative to MARKER_RADIUS (presentation: larger). */
  markerScale?: number;
}

/** What a build was asked for with, besides the request itself: applied with its result. */
interface BuildContext {
  /** The values as sent (the markers read the same version the mesh shows). */
  values: Float32Array;
  done: number;
  metric: string;
  scale: SurfaceScale;
  exaggeration: number;
  trajectory: TrajectoryView | undefined;
  pathBase: [number, number, number][] | null;
}

/** The geometries of one grid size and what they show: the last build applied (null before the first). */
interface Drawn {
  nx: number;
  ny: number;
  built: SurfaceBuild | null;
  /** NaN heights, read until the first build is in. */
  empty: Float32Array;
  surface: BufferGeometry;
  /** The wireframe overlay (the surface's positions, its own index). */
  wire: BufferGeometry;
  /** The decimated mesh drawn while the camera moves (the surface's attributes, its own index). */
  lod: BufferGeometry;
}

/** Whether two builds have the same holes (then the same triangle and line indices). */
function sameHoles(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  markerScale = 1,
}: SurfaceLayerProps) {
  const invalidate = useThree((s) => s.invalidate);
  const controls = useThree((s) => s.controls);
  const axes = snapshot.grid.axes;
  const nx = axes[0].count;
  const ny = axes[1].count;
  const frame = useMemo<GridFrame>(() => frameOf(axes), [axes]);
  const lut = colormapLut(options.colormap);
  const { exaggeration, metric } = options;
  // One decimation step for both axes; 1 (small grids): the full mesh is drawn all the time.
  const stride = Math.max(lodStride(nx), lodStride(ny));

  // The geometries get their attributes from the first build (made in the worker): nothing of
  // the size of the grid is allocated, filled or uploaded here before that.
  const drawn = useMemo<Drawn>(
    () => ({
      nx,
      ny,
      built: null,
      empty: new Float32Array(nx * ny).fill(Number.NaN),
      surface: new BufferGeometry(),
      wire: new BufferGeometry(),
      lod: new BufferGeometry(),
    }),
    [nx, ny],
  );
  const { surface, wire, lod } = drawn;
  // The lines are mounted once their geometries have attributes (the meshes are shown by showLod).
  const [readyFor, setReadyFor] = useState<Drawn | null>(null);
  const ready = readyFor === drawn;
  const contourGeometry = useMemo(() => new BufferGeometry(), []);
  useEffect(
    () => () => {
      surface.dispose();
      wire.dispose();
      lod.dispose();
    },
    [surface, wire, lod],
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
  const lodRef = useRef<Mesh>(null);
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
    const { path } = trajectoryWorld(frame, drawn.empty, trajectory.coords, 0, 0);
    const points: [number, number, number][] = [];
    for (let i = 0; i < path.length; i += 3) points.push([path[i], path[i + 1], path[i + 2]]);
    return points;
  }, [trajectory, frame, drawn]);
  const checkpointCount = trajectory ? Math.floor(trajectory.coords.length / 2) : 0;

  // A failed build (bad sizes) is thrown from the next render, as it was when built here.
  const [buildError, setBuildError] = useState<unknown>(null);
  if (buildError) throw buildError;
  const builds = useMemo(
    () =>
      new LatestBuild<SurfaceRequest, SurfaceBuild>(
        surfaceWorkerAvailable() ? buildSurfaceInWorker : (r) => Promise.resolve(buildSurface(r)),
        buildSurface,
        (error) => setBuildError(error),
      ),
    [],
  );
  // Before the effect that requests builds (layout effects run in order), so that React's second
  // mount in development (dispose, then start) does not drop its request.
  useLayoutEffect(() => {
    builds.start();
    return () => builds.dispose();
  }, [builds]);

  // The decimated mesh is drawn while the camera moves and while a job fills the grid (its
  // frames then cost the compute workers' cores less); the full one once both stopped.
  const computing = preview || (done > 0 && done < nx * ny);
  const lodState = useRef({ moving: false, computing: false, stride: 1, ready: false });
  const showLod = useRef(() => {
    const full = surfaceRef.current;
    if (!full) return;
    const coarse = lodRef.current;
    const { moving, computing, stride, ready } = lodState.current;
    const on = coarse !== null && stride > 1 && (moving || computing);
    if (full.visible === (ready && !on) && (!coarse || coarse.visible === (ready && on))) return;
    full.visible = ready && !on;
    if (coarse) coarse.visible = ready && on;
    invalidate();
  });
  /** Put a finished build on the geometries and the markers, then ask for a frame. */
  const apply = (built: SurfaceBuild, context: BuildContext) => {
    if (built.nx !== drawn.nx || built.ny !== drawn.ny) return;
    const previous = drawn.built;
    drawn.built = built;
    if (!previous) {
      // First build: the attributes, made around its arrays (uploaded with the next frame).
      const attribute = (array: Float32Array | Uint32Array, size: number) =>
        new BufferAttribute(array, size).setUsage(DynamicDrawUsage);
      const position = attribute(built.positions, 3);
      const normal = attribute(built.normals, 3);
      const color = attribute(built.colors, 3);
      for (const geometry of [surface, lod]) {
        geometry.setAttribute("position", position);
        geometry.setAttribute("normal", normal);
        geometry.setAttribute("color", color);
      }
      surface.setIndex(attribute(built.index, 1));
      wire.setAttribute("position", position);
      wire.setIndex(attribute(built.lineIndex, 1));
      lod.setIndex(attribute(built.lodIndex, 1));
    } else {
      // Later builds: their arrays replace the attributes' (same sizes); the vertex arrays are
      // uploaded whole.
      for (const [name, array] of [
        ["position", built.positions],
        ["normal", built.normals],
        ["color", built.colors],
      ] as const) {
        const attribute = surface.getAttribute(name) as BufferAttribute;
        attribute.array = array;
        attribute.needsUpdate = true;
      }
      // The indices depend only on where the holes are: upload them only when that changed, and
      // only the part in use.
      const reindex = !sameHoles(previous.holes, built.holes);
      const swapIndex = (geometry: BufferGeometry, next: Uint32Array, count: number) => {
        const attribute = geometry.index;
        if (!attribute) return;
        attribute.array = next;
        if (!reindex || count === 0) return;
        attribute.clearUpdateRanges();
        attribute.addUpdateRange(0, count);
        attribute.needsUpdate = true;
      };
      swapIndex(surface, built.index, built.indexCount);
      swapIndex(wire, built.lineIndex, built.lineIndexCount);
      swapIndex(lod, built.lodIndex, built.lodIndexCount);
    }
    surface.setDrawRange(0, built.indexCount);
    wire.setDrawRange(0, built.lineIndexCount);
    lod.setDrawRange(0, built.lodIndexCount);
    lodState.current.ready = true;
    showLod.current();
    if (!previous) setReadyFor(drawn);

    // The bounding sphere came with the build (three would walk the 40,000 vertices here).
    const [cx, cy, cz, r] = built.sphere;
    for (const geometry of [surface, wire, lod, contourGeometry]) {
      geometry.boundingSphere ??= new Sphere();
      geometry.boundingSphere.set(new Vector3(cx, cy, cz), r);
    }

    // Contour lines: reuse the buffer while it is large enough.
    const lines = built.contours;
    let attribute = contourGeometry.getAttribute("position") as BufferAttribute | undefined;
    if (!attribute || attribute.array.length < lines.length) {
      const capacity = Math.max(lines.length * 2, 3 * 4096);
      attribute = new BufferAttribute(new Float32Array(capacity), 3).setUsage(DynamicDrawUsage);
      contourGeometry.setAttribute("position", attribute);
    }
    (attribute.array as Float32Array).set(lines);
    attribute.clearUpdateRanges();
    if (lines.length > 0) attribute.addUpdateRange(0, lines.length);
    attribute.needsUpdate = true;
    contourGeometry.setDrawRange(0, lines.length / 3);

    // Markers
    const { exaggeration: ex, scale: sc, trajectory: tr } = context;
    const trained = trainedRef.current;
    if (trained) {
      const inside = frame.x.min <= 0 && 0 <= frame.x.max && frame.y.min <= 0 && 0 <= frame.y.max;
      const p = pointOnSurface(frame, built.heights, 0, 0, ex, MARKER_RADIUS * 0.5);
      trained.visible = inside && Number.isFinite(p[1]);
      if (trained.visible) trained.position.set(p[0], p[1], p[2]);
    }
    const optimum = optimumRef.current;
    if (optimum) {
      const best = gridExtremum(context.values, higherIsBetter(context.metric) ? "max" : "min");
      optimum.visible = best >= 0 && Number.isFinite(built.heights[best]);
      if (optimum.visible)
        optimum.position.set(
          built.positions[best * 3],
          built.positions[best * 3 + 1] + MARKER_RADIUS * 0.5,
          built.positions[best * 3 + 2],
        );
    }
    if (tr) {
      const fallback = context.metric === "train_loss" ? (i: number) => sc.normalize(tr.loss[i]) : undefined;
      const { path, dots } = trajectoryWorld(frame, built.heights, tr.coords, ex, TRAJECTORY_LIFT, fallback);
      const line = pathRef.current;
      const base = context.pathBase;
      if (line && base && path.length === base.length * 3) line.geometry.setPositions(path);
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
    if (heightfield) heightfield.current = { heights: built.heights, nx, ny, exaggeration: ex };
    pendingFrame.current = { done: context.done };
    invalidate();
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: done and version signal that `values` changed in place
  useLayoutEffect(() => {
    // A copy of the values as they are now: the job keeps filling `values` in place.
    const sent = values.slice();
    const request: SurfaceRequest = {
      values: sent,
      nx,
      ny,
      scale: { lo: scale.lo, hi: scale.hi, log: scale.log },
      exaggeration,
      lut,
      levels: preview ? [] : contourLevels(options.contours),
      lodStride: stride,
    };
    const context: BuildContext = { values: sent, done, metric, scale, exaggeration, trajectory, pathBase };
    builds.request(request, (built) => apply(built, context));
  }, [
    builds,
    drawn,
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
    stride,
  ]);

  // After every commit: cheap, and the meshes may just have mounted.
  useLayoutEffect(() => {
    lodState.current.computing = computing;
    lodState.current.stride = stride;
    lodState.current.ready = drawn.built !== null;
    showLod.current();
  });
  useEffect(() => {
    if (!controls) return;
    const set = (moving: boolean) => {
      lodState.current.moving = moving;
      showLod.current();
    };
    const start = () => set(true);
    const end = () => set(false);
    const dispatcher = controls as unknown as {
      addEventListener(type: string, listener: () => void): void;
      removeEventListener(type: string, listener: () => void): void;
    };
    dispatcher.addEventListener("start", start);
    dispatcher.addEventListener("end", end);
    return () => {
      dispatcher.removeEventListener("start", start);
      dispatcher.removeEventListener("end", end);
      set(false);
    };
  }, [controls]);

  // Picking: walk the cells under the ray (surface-raycast.ts) instead of every triangle.
  const raycast = useMemo(() => {
    const inverse = new Matrix4();
    const local = new Ray();
    const hit = new Vector3();
    return function surfaceRaycast(this: Mesh, raycaster: Raycaster, intersects: Intersection[]) {
      const built = drawn.built;
      if (!built || built.indexCount === 0) return;
      inverse.copy(this.matrixWorld).invert();
      local.copy(raycaster.ray).applyMatrix4(inverse);
      const t = raycastSurface(
        built.positions,
        built.heights,
        nx,
        ny,
        [local.origin.x, local.origin.y, local.origin.z],
        [local.direction.x, local.direction.y, local.direction.z],
      );
      if (t === null) return;
      local.at(t, hit).applyMatrix4(this.matrixWorld);
      const distance = raycaster.ray.origin.distanceTo(hit);
      if (distance < raycaster.near || distance > raycaster.far) return;
      intersects.push({ distance, point: hit.clone(), object: this });
    };
  }, [drawn, nx, ny]);

  const reading = (e: ThreeEvent<PointerEvent | MouseEvent>): GridReading => {
    const [x, y] = worldToGrid(frame, e.point.x, e.point.z);
    return readGrid(frame, snapshot.surfaces, x, y);
  };

  const showHover = (r: GridReading | null) => {
    // While the camera turns the readout would follow the surface sliding under a still pointer,
    // and re-lay out the page at every move: it waits for the next move after the drag.
    if (r !== null && lodState.current.moving) return;
    const marker = hoverRef.current;
    const built = drawn.built;
    if (marker) {
      const i = r ? r.iy * nx + r.ix : -1;
      marker.visible = r !== null && built !== null && Number.isFinite(built.heights[i]);
      if (marker.visible && built)
        marker.position.set(built.positions[i * 3], built.positions[i * 3 + 1], built.positions[i * 3 + 2]);
      invalidate();
    }
    onHover(r);
  };

  return (
    <group>
      <mesh
        ref={surfaceRef}
        geometry={surface}
        visible={false}
        raycast={raycast}
        onAfterRender={markFrame}
        {...pickHandlers(reading, showHover, onPick)}
      >
        <meshLambertMaterial {...SURFACE_MATERIAL} />
      </mesh>
      {stride > 1 && (
        <mesh ref={lodRef} geometry={lod} visible={false} raycast={noRaycast} onAfterRender={markFrame}>
          <meshLambertMaterial {...SURFACE_MATERIAL} />
        </mesh>
      )}
      <lineSegments geometry={wire} visible={ready && options.wireframe} renderOrder={1}>
        <lineBasicMaterial color="#05070a" transparent opacity={0.45} depthWrite={false} />
      </lineSegments>
      <lineSegments geometry={contourGeometry} visible={ready && options.contours > 0} renderOrder={2}>
        <lineBasicMaterial color="#ffffff" transparent opacity={0.6} depthWrite={false} />
      </lineSegments>
      <mesh ref={trainedRef} visible={false} scale={markerScale}>
        <sphereGeometry args={[MARKER_RADIUS, 20, 14]} />
        <meshLambertMaterial color={MARKER_COLORS.trained} emissive="#555555" />
      </mesh>
      <mesh ref={optimumRef} visible={false} scale={markerScale}>
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
const noRaycast = () => {};
