/**
 * Orbit controls plus camera synchronisation. The pose lives in the three camera and the
 * controls (refs), never in React state: shared poses are applied imperatively, and user moves
 * are reported through `sync.onChange` only between the controls' start and end events, so a pose
 * applied from outside never echoes back.
 *
 * Keyboard orbiting (`keysRef`, used by the focused 3D view) goes through the same path: a key
 * press opens a "start" on the controls (closed by "end" once the keys rest for KEY_REST_MS), so
 * the pose it sets is reported like a drag's, and the surface draws its light mesh meanwhile.
 */
import { OrbitControls } from "@react-three/drei";
import { useThree } from "@react-three/fiber";
import { type ComponentRef, type RefObject, useEffect, useLayoutEffect, useRef } from "react";
import { type CameraSync, fitCamera, type HomeCamera, type SharedCamera, sameCamera } from "./camera";
import { azimuthOf, orbitPose } from "./orbit";
import type { OrbitMove } from "./view-keys";

/** Camera moves by key (the 3D view's keyboard handler calls these). */
export interface CameraKeys {
  /** Turn, tilt and zoom around the orbit centre, within the controls' limits. */
  orbit(move: OrbitMove): void;
  /** The camera's angle around the vertical axis (0: the home side, +z), for screen-relative keys. */
  azimuth(): number;
}

/** A keyboard "drag" ends when no orbit key came for this long. */
const KEY_REST_MS = 350;
const MIN_DISTANCE = 0.6;
const MAX_DISTANCE = 12;

interface CameraRigProps {
  /** Pose used at mount and on reset (when no shared state is given), fitted to the canvas aspect. */
  home: HomeCamera;
  sync?: CameraSync;
  /** Filled with a function that moves the camera back to `home` (double-click). */
  resetRef?: RefObject<(() => void) | null>;
  /** Filled with the keyboard's camera moves. */
  keysRef?: RefObject<CameraKeys | null>;
}

type Controls = ComponentRef<typeof OrbitControls>;

export function CameraRig({ home, sync, resetRef, keysRef }: CameraRigProps) {
  const controls = useRef<Controls>(null);
  const camera = useThree((s) => s.camera);
  const invalidate = useThree((s) => s.invalidate);
  const get = useThree((s) => s.get);
  const userActive = useRef(false);
  const onChangeRef = useRef<CameraSync["onChange"] | undefined>(undefined);
  useEffect(() => {
    onChangeRef.current = sync?.onChange;
  });

  const sharedState = sync?.state ?? null;
  // Whether the camera still shows the home pose (nobody turned it since): then a new canvas size
  // (a window resized, a panel folded, presentation mode) frames the home pose for it anew.
  const atHome = useRef(true);
  const size = useThree((s) => s.size);

  // Home pose at mount and when the kind of landscape changes (1-D <-> 2-D), unless shared.
  useLayoutEffect(() => {
    const c = controls.current;
    if (!c || sharedState) return;
    const { width, height } = get().size;
    applyPose(camera, c, fitCamera(home, width / height));
    atHome.current = true;
    invalidate();
  }, [home, sharedState, camera, invalidate, get]);

  useLayoutEffect(() => {
    const c = controls.current;
    if (!c || sharedState || !atHome.current || size.width <= 0 || size.height <= 0) return;
    const pose = fitCamera(home, size.width / size.height);
    if (sameCamera(readPose(camera, c), pose)) return;
    applyPose(camera, c, pose);
    invalidate();
  }, [size.width, size.height, home, sharedState, camera, invalidate]);

  useLayoutEffect(() => {
    const c = controls.current;
    if (!c || !sharedState) return;
    if (sameCamera(readPose(camera, c), sharedState)) return;
    atHome.current = false;
    applyPose(camera, c, sharedState);
    invalidate();
  }, [sharedState, camera, invalidate]);

  useEffect(() => {
    if (!resetRef) return;
    resetRef.current = () => {
      const c = controls.current;
      if (!c) return;
      const { width, height } = get().size;
      applyPose(camera, c, fitCamera(home, width / height));
      atHome.current = true;
      invalidate();
      onChangeRef.current?.(readPose(camera, c));
    };
    return () => {
      resetRef.current = null;
    };
  }, [resetRef, home, camera, invalidate, get]);

  useEffect(() => {
    if (!keysRef) return;
    let rest: ReturnType<typeof setTimeout> | null = null;
    let active: Controls | null = null;
    const end = () => {
      if (rest !== null) clearTimeout(rest);
      rest = null;
      if (active) signal(active, "end");
      active = null;
    };
    keysRef.current = {
      orbit(move) {
        const c = controls.current;
        if (!c) return;
        // Between "start" and "end" the controls report their changes (onChange below).
        if (active !== c) {
          end();
          active = c;
          signal(c, "start");
        }
        if (rest !== null) clearTimeout(rest);
        rest = setTimeout(end, KEY_REST_MS);
        const limits = {
          minDistance: c.minDistance,
          maxDistance: c.maxDistance,
          minPolar: c.minPolarAngle,
          maxPolar: c.maxPolarAngle,
        };
        atHome.current = false;
        applyPose(camera, c, orbitPose(readPose(camera, c), move, limits));
        invalidate();
      },
      azimuth() {
        const c = controls.current;
        return c ? azimuthOf(readPose(camera, c)) : 0;
      },
    };
    return () => {
      end();
      keysRef.current = null;
    };
  }, [keysRef, camera, invalidate]);

  return (
    <OrbitControls
      ref={controls}
      makeDefault
      enableDamping={false}
      minDistance={MIN_DISTANCE}
      maxDistance={MAX_DISTANCE}
      onStart={() => {
        userActive.current = true;
        atHome.current = false;
      }}
      onEnd={() => {
        userActive.current = false;
      }}
      onChange={() => {
        const c = controls.current;
        if (userActive.current && c) onChangeRef.current?.(readPose(camera, c));
      }}
    />
  );
}

interface PoseCamera {
  position: { x: number; y: number; z: number; set(x: number, y: number, z: number): unknown };
}

function readPose(camera: PoseCamera, c: Controls): SharedCamera {
  return {
    position: [camera.position.x, camera.position.y, camera.position.z],
    target: [c.target.x, c.target.y, c.target.z],
  };
}

/** Fire the controls' own "start" or "end" event (three's dispatcher fills in the target). */
function signal(c: Controls, type: "start" | "end"): void {
  (c as unknown as { dispatchEvent(event: { type: string }): void }).dispatchEvent({ type });
}

function applyPose(camera: PoseCamera, c: Controls, pose: SharedCamera): void {
  camera.position.set(pose.position[0], pose.position[1], pose.position[2]);
  c.target.set(pose.target[0], pose.target[1], pose.target[2]);
  c.update();
}
