/**
 * Orbit controls plus camera synchronisation. The pose lives in the three camera and the
 * controls (refs), never in React state: shared poses are applied imperatively, and user moves
 * are reported through `sync.onChange` only between the controls' start and end events, so a pose
 * applied from outside never echoes back.
 */
import { OrbitControls } from "@react-three/drei";
import { useThree } from "@react-three/fiber";
import { type ComponentRef, type RefObject, useEffect, useLayoutEffect, useRef } from "react";
import { type CameraSync, fitCamera, type HomeCamera, type SharedCamera, sameCamera } from "./camera";

export interface CameraRigProps {
  /** Pose used at mount and on reset (when no shared state is given), fitted to the canvas aspect. */
  home: HomeCamera;
  sync?: CameraSync;
  /** Filled with a function that moves the camera back to `home` (double-click). */
  resetRef?: RefObject<(() => void) | null>;
}

type Controls = ComponentRef<typeof OrbitControls>;

export function CameraRig({ home, sync, resetRef }: CameraRigProps) {
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

  // Home pose at mount and when the kind of landscape changes (1-D <-> 2-D), unless shared.
  useLayoutEffect(() => {
    const c = controls.current;
    if (!c || sharedState) return;
    const { width, height } = get().size;
    applyPose(camera, c, fitCamera(home, width / height));
    invalidate();
  }, [home, sharedState, camera, invalidate, get]);

  useLayoutEffect(() => {
    const c = controls.current;
    if (!c || !sharedState) return;
    if (sameCamera(readPose(camera, c), sharedState)) return;
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
      invalidate();
      onChangeRef.current?.(readPose(camera, c));
    };
    return () => {
      resetRef.current = null;
    };
  }, [resetRef, home, camera, invalidate, get]);

  return (
    <OrbitControls
      ref={controls}
      makeDefault
      enableDamping={false}
      minDistance={0.6}
      maxDistance={12}
      onStart={() => {
        userActive.current = true;
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

function applyPose(camera: PoseCamera, c: Controls, pose: SharedCamera): void {
  camera.position.set(pose.position[0], pose.position[1], pose.position[2]);
  c.target.set(pose.target[0], pose.target[1], pose.target[2]);
  c.update();
}
