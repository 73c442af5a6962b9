/**
 * What the image and glTF exports need from a drawn 3D view: its renderer, scene and camera and,
 * for a 2-D landscape, the surface mesh with what it shows. The layers register themselves here
 * while they are mounted (under the canvas's key, its test id: "landscape-3d" is the current
 * landscape), so the export code reaches the rendered scene without props threaded through React.
 * Nothing here renders or computes; the exports (src/app/io) read the handles.
 *
 * @example const view = sceneHandle(CURRENT_VIEW); if (view?.surface) exportGlb(view.surface.mesh);
 */
import { type RootState, useThree } from "@react-three/fiber";
import { type RefObject, useEffect, useRef } from "react";
import type { Mesh } from "three";
import type { SurfaceScale } from "./scale";

/** The key of the current landscape's 3D view (LandscapeCanvas registers under its test id). */
export const CURRENT_VIEW = "landscape-3d";

/** What the surface mesh shows: how grid values became positions and colours. */
interface SurfaceDescription {
  metric: string;
  axes: readonly { label: string; min: number; max: number; count: number }[];
  scale: Pick<SurfaceScale, "lo" | "hi" | "log">;
  exaggeration: number;
  colormap: string;
}

export interface SceneHandle {
  /** The renderer, scene, camera and invalidate of the canvas, as they are now. */
  three(): RootState;
  /** The 2-D surface (null for a 1-D curve, or before the mesh is mounted). */
  surface: { mesh: Mesh; describe(): SurfaceDescription } | null;
}

const handles = new Map<string, SceneHandle>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const listener of listeners) listener();
}

/** Registers a view under `key` (replacing any); returns the function that removes it again. */
function registerScene(key: string, handle: SceneHandle): () => void {
  handles.set(key, handle);
  changed();
  return () => {
    if (handles.get(key) !== handle) return;
    handles.delete(key);
    changed();
  };
}

/** The view registered under `key`, if one is mounted. */
export function sceneHandle(key: string): SceneHandle | null {
  return handles.get(key) ?? null;
}

/** For useSyncExternalStore: called whenever a view comes or goes. */
export function subscribeScenes(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Changes whenever a view comes or goes (useSyncExternalStore's snapshot). */
export function scenesVersion(): number {
  return version;
}

/**
 * Registers the calling layer's canvas (and its surface mesh, when given) under `key` while it is
 * mounted. `describe` may change on every render; the latest is used.
 */
export function useSceneExport(
  key: string | undefined,
  mesh: RefObject<Mesh | null> | null,
  describe?: () => SurfaceDescription,
): void {
  const get = useThree((s) => s.get);
  const latest = useRef(describe);
  useEffect(() => {
    latest.current = describe;
  });
  useEffect(() => {
    if (!key) return;
    const m = mesh?.current ?? null;
    const describeNow = () => {
      const d = latest.current;
      if (!d) throw new Error("the surface did not describe itself");
      return d();
    };
    return registerScene(key, {
      three: get,
      surface: m && latest.current ? { mesh: m, describe: describeNow } : null,
    });
  }, [key, mesh, get]);
}
