/**
 * Paths between minima on their plane's 3D surface: the straight segment theta1 -> theta2 and the
 * trained curve draped on the surface (each line twice: depth-tested, and faintly through the hills
 * that hide it), theta1, theta2 and the bends as spheres and the paths panel's point w(t), both
 * always on top. The lines drape on the heights SurfaceLayer last drew (`heightfield`, replaced
 * whenever a new surface build is applied; checked before every frame); the lines' geometry is
 * made once per overlay and only its heights change later (setPositions), as the trajectory does.
 *
 * When the overlay has been rendered, the canvas element carries data-path-overlay="drawn" (with
 * data-path-probe="x,y" while w(t) is shown), so tests and tools can tell it is on screen.
 *
 * @example <PathOverlay overlay={planeOverlay(snapshot)} axes={snapshot.grid.axes} heightfield={hf} exaggeration={1} redraw={[values, version]} />
 */
import { Line } from "@react-three/drei";
import { useFrame, useThree } from "@react-three/fiber";
import {
  type ComponentRef,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
} from "react";
import type { Mesh } from "three";
import { type AxisRange, frameOf, type Heightfield } from "./geometry";
import { MARKER_RADIUS, pointOnSurface, trajectoryWorld } from "./markers";
import { useAfterPresent } from "./PresentWhenDrawn";
import { PATH_COLORS, type PlaneOverlay } from "./path-lines";

/** Lines float this far above the surface (world units), so they are not buried in it. */
const LIFT = 0.016;
/** Each line is drawn depth-tested ("front") and, faintly, through whatever hides it ("hidden"). */
const PASSES = ["front", "hidden"] as const;

interface PathOverlayProps {
  overlay: PlaneOverlay;
  axes: readonly AxisRange[];
  /** The drawn heights (SurfaceLayer fills it before this component's effects run). */
  heightfield: RefObject<Heightfield | null>;
  exaggeration: number;
  /** w(t) in grid coordinates, or null. */
  probe?: { x: number; y: number } | null;
  /** Anything whose change means the surface heights changed (values, done, version, scale). */
  redraw: readonly unknown[];
}

type Vec3 = [number, number, number];

function toPoints(path: Float32Array): Vec3[] {
  const points: Vec3[] = [];
  for (let i = 0; i + 2 < path.length; i += 3) points.push([path[i], path[i + 1], path[i + 2]]);
  return points;
}

export function PathOverlay({ overlay, axes, heightfield, exaggeration, probe, redraw }: PathOverlayProps) {
  const invalidate = useThree((s) => s.invalidate);
  const canvas = useThree((s) => s.gl.domElement);
  const frame = useMemo(() => frameOf(axes), [axes]);
  const nx = frame.x.count;
  const ny = frame.y.count;
  const flat = useMemo(() => new Float32Array(nx * ny), [nx, ny]);
  // Flat polylines (split per grid cell, so they can follow the surface); heights come later.
  const base = useMemo(
    () => ({
      segment: toPoints(trajectoryWorld(frame, flat, overlay.segment, 0, 0).path),
      curve: toPoints(trajectoryWorld(frame, flat, overlay.curve, 0, 0).path),
    }),
    [frame, flat, overlay],
  );
  // Two passes per line: depth-tested, and faint through the surface where a hill hides it.
  const lineRefs = useRef<Record<string, ComponentRef<typeof Line> | null>>({});
  const pointRefs = useRef<(Mesh | null)[]>([]);
  const probeRef = useRef<Mesh>(null);

  // The heights draped on last: SurfaceLayer builds its surface asynchronously (in a worker) and
  // replaces `heightfield.current` when a build is drawn, so the lines follow in that frame.
  const draped = useRef<Heightfield | null | undefined>(undefined);
  const drape = useCallback(() => {
    const field = heightfield.current;
    draped.current = field;
    const heights = field && field.nx === nx && field.ny === ny ? field.heights : flat;
    const drapeLine = (name: "segment" | "curve") => {
      const { path } = trajectoryWorld(frame, heights, overlay[name], exaggeration, LIFT);
      if (path.length !== base[name].length * 3) return;
      for (const pass of PASSES) {
        const line = lineRefs.current[`${name}:${pass}`];
        if (!line) continue;
        line.geometry.setPositions(path);
        line.computeLineDistances(); // the dashes follow the new lengths
      }
    };
    drapeLine("segment");
    drapeLine("curve");
    const place = (mesh: Mesh | null, x: number, y: number, lift: number) => {
      if (!mesh) return;
      const p = pointOnSurface(frame, heights, x, y, exaggeration, lift);
      mesh.position.set(p[0], Number.isFinite(p[1]) ? p[1] : lift, p[2]);
    };
    overlay.points.forEach((p, j) => {
      place(pointRefs.current[j], p.x, p.y, MARKER_RADIUS * 0.6);
    });
    const marker = probeRef.current;
    if (marker) {
      marker.visible = Boolean(probe && Number.isFinite(probe.x) && Number.isFinite(probe.y));
      if (probe && marker.visible) place(marker, probe.x, probe.y, MARKER_RADIUS * 0.8);
    }
  }, [overlay, base, frame, flat, nx, ny, exaggeration, probe, heightfield]);

  useLayoutEffect(() => {
    drape();
    if (probe) canvas.dataset.pathProbe = `${probe.x.toPrecision(4)},${probe.y.toPrecision(4)}`;
    else delete canvas.dataset.pathProbe;
    invalidate();
  }, [drape, probe, canvas, invalidate, ...redraw]);
  // Runs before the frame is drawn (PresentWhenDrawn renders at priority 1).
  useFrame(() => {
    if (heightfield.current !== draped.current) drape();
  });

  useEffect(
    () => () => {
      delete canvas.dataset.pathOverlay;
      delete canvas.dataset.pathProbe;
    },
    [canvas],
  );

  // "drawn" once a frame with the lines is on screen (tests wait for it).
  const afterPresent = useAfterPresent();
  const drawn = () =>
    afterPresent("path-overlay", () => {
      if (canvas.dataset.pathOverlay !== "drawn") canvas.dataset.pathOverlay = "drawn";
    });

  const lines = [
    { name: "segment", color: PATH_COLORS.straight, width: 3, dashed: true },
    { name: "curve", color: PATH_COLORS.curve, width: 3.5, dashed: false },
  ] as const;
  return (
    <group>
      {lines.flatMap(({ name, color, width, dashed }) =>
        base[name].length < 2
          ? []
          : PASSES.map((pass) => (
              <Line
                key={`${name}:${pass}`}
                ref={(l) => {
                  lineRefs.current[`${name}:${pass}`] = l;
                }}
                points={base[name]}
                color={color}
                lineWidth={pass === "front" ? width : width * 0.7}
                dashed={dashed}
                dashSize={0.04}
                gapSize={0.025}
                transparent={pass === "hidden"}
                opacity={pass === "hidden" ? 0.4 : 1}
                depthTest={pass === "front"}
                depthWrite={pass === "front"}
                renderOrder={pass === "front" ? 3 : 4}
                onAfterRender={pass === "front" && name === "segment" ? drawn : undefined}
              />
            )),
      )}
      {overlay.points.map((p, j) => (
        <mesh
          key={`${p.role}:${p.label}`}
          renderOrder={5}
          ref={(m) => {
            pointRefs.current[j] = m;
          }}
        >
          <sphereGeometry args={[MARKER_RADIUS * (p.role === "bend" ? 0.75 : 0.9), 18, 12]} />
          {/* Always on top: an endpoint behind a hill is still worth seeing. */}
          <meshBasicMaterial color={PATH_COLORS[p.role]} depthTest={false} transparent />
        </mesh>
      ))}
      <mesh ref={probeRef} visible={false} renderOrder={6}>
        <sphereGeometry args={[MARKER_RADIUS * 1.05, 20, 14]} />
        <meshBasicMaterial color={PATH_COLORS.probe} depthTest={false} transparent />
      </mesh>
    </group>
  );
}
