/**
 * The keyboard cursor in the 3D view: a ring-like marker on the surface at the cursor's grid
 * point, drawn over everything (a cursor hidden behind a hill would be lost). Its position is
 * read in every frame from the cursor ref and the drawn heights, so it follows new values,
 * scales and exaggerations without React state; `redrawRef` asks for a frame after a move.
 */
import { useFrame, useThree } from "@react-three/fiber";
import { type RefObject, useEffect, useRef } from "react";
import { BackSide, type Group } from "three";
import { type GridFrame, gridToWorld, type Heightfield, heightOf, indexToCoord } from "./geometry";
import type { GridCursor } from "./keyboard-cursor";
import { MARKER_RADIUS } from "./markers";
import type { SurfaceScale } from "./scale";

interface KeyboardCursorMarkerProps {
  /** The cursor, or null while it is hidden (the view has no keyboard focus). */
  cursor: RefObject<GridCursor | null>;
  frame: GridFrame;
  /** The shown surface (heights when no drawn heightfield is there, e.g. a 1-D curve). */
  values: Float32Array;
  scale: SurfaceScale;
  exaggeration: number;
  /** The heights the 2-D surface was drawn with (SurfaceLayer fills it). */
  heightfield?: RefObject<Heightfield | null>;
  /** Filled with a function that asks for a frame (after the cursor moved). */
  redrawRef: RefObject<(() => void) | null>;
}

const CURSOR_COLOR = "#ffffff";
const HALO_COLOR = "#000000";

export function KeyboardCursorMarker({
  cursor,
  frame,
  values,
  scale,
  exaggeration,
  heightfield,
  redrawRef,
}: KeyboardCursorMarkerProps) {
  const invalidate = useThree((s) => s.invalidate);
  const group = useRef<Group>(null);
  useEffect(() => {
    redrawRef.current = () => invalidate();
    return () => {
      redrawRef.current = null;
    };
  }, [redrawRef, invalidate]);

  useFrame(() => {
    const g = group.current;
    if (!g) return;
    const c = cursor.current;
    const nx = frame.x.count;
    const ny = frame.y.count;
    if (!c || c.ix < 0 || c.iy < 0 || c.ix >= nx || c.iy >= ny) {
      g.visible = false;
      return;
    }
    const i = c.iy * nx + c.ix;
    const drawn = heightfield?.current;
    let t: number;
    let ex = exaggeration;
    if (drawn && drawn.nx === nx && drawn.ny === ny) {
      t = drawn.heights[i];
      ex = drawn.exaggeration;
    } else t = scale.normalize(values[i]);
    // Over a hole (or a point not computed yet) the cursor sits on the floor.
    const [wx, wz] = gridToWorld(frame, indexToCoord(frame.x, c.ix), indexToCoord(frame.y, c.iy));
    g.position.set(wx, heightOf(Number.isFinite(t) ? t : 0, ex), wz);
    g.visible = true;
  });

  return (
    <group ref={group} visible={false} renderOrder={10}>
      <mesh renderOrder={10}>
        <sphereGeometry args={[MARKER_RADIUS * 1.25, 16, 10]} />
        <meshBasicMaterial color={HALO_COLOR} side={BackSide} depthTest={false} transparent opacity={0.8} />
      </mesh>
      <mesh renderOrder={11}>
        <sphereGeometry args={[MARKER_RADIUS * 0.85, 16, 10]} />
        <meshBasicMaterial color={CURSOR_COLOR} depthTest={false} transparent opacity={0.95} />
      </mesh>
    </group>
  );
}
