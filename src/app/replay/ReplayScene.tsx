/**
 * The replay in the 3D view (a child of LandscapeCanvas): for each run a marker at the
 * timeline's position and a trail over the checkpoints passed so far, draped on the surface (or
 * the curve of a 1-D landscape) a little above it. Nothing while the replay is inactive. Each
 * frame drawn with the replay queues a note for when it is on screen (`presented`, for the
 * recorder and the tests: data-replay-presented on the timeline).
 *
 * @example <LandscapeCanvas ...><ReplayScene view={view} scale={scale} options={options} /></LandscapeCanvas>
 */
import { Line } from "@react-three/drei";
import { useFrame, useThree } from "@react-three/fiber";
import { useEffect, useLayoutEffect, useMemo, useRef } from "react";
import { Vector3 } from "three";
import { frameOf } from "../../scene/geometry";
import { MARKER_RADIUS, pointOnSurface } from "../../scene/markers";
import { useAfterPresent } from "../../scene/PresentWhenDrawn";
import type { SurfaceScale } from "../../scene/scale";
import type { DrawnLandscape, SurfaceViewOptions } from "../../state/types";
import { runAt } from "./replay-model";
import { replayStore, sceneLook, useReplay } from "./replay-store";

const LIFT = 0.02;

export function ReplayScene({
  view,
  scale,
  options,
  version = 0,
  markerScale = 1,
}: {
  view: DrawnLandscape | null;
  scale: SurfaceScale;
  options: SurfaceViewOptions;
  version?: number;
  markerScale?: number;
}) {
  const model = useReplay((s) => s.model);
  const snapshot = useReplay((s) => s.snapshot);
  const index = useReplay((s) => s.index);
  const active = useReplay((s) => s.active);
  const frameToken = useReplay((s) => s.frameToken);
  const turn = useReplay((s) => s.turn);
  const invalidate = useThree((s) => s.invalidate);
  const camera = useThree((s) => s.camera);
  const controls = useThree((s) => s.controls) as unknown as {
    target: Vector3;
    update(): void;
  } | null;
  const afterPresent = useAfterPresent();
  // Only the snapshot the timeline replays (not a compared one, not one shown before it).
  const mine = view !== null && view.snapshot === snapshot && model !== null;
  const values = mine ? view.snapshot.surfaces[options.metric] : undefined;
  const axes = mine ? view.snapshot.grid.axes : undefined;
  const ex = options.exaggeration;

  // World points of every checkpoint of every run, on the drawn surface. Only while the replay is
  // shown: the heights of the whole grid cost 10-30 ms of main-thread time at every redraw of a
  // growing 201 x 201 landscape, which nothing would draw.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks in-place surface updates
  const world = useMemo(() => {
    if (!model || !values || !axes || !active) return null;
    const frame = frameOf(axes);
    const heights = Float32Array.from(values, (v) => scale.normalize(v));
    const at = (x: number, y: number): [number, number, number] | null => {
      if (!Number.isFinite(x) || (axes.length === 2 && !Number.isFinite(y))) return null;
      const p = pointOnSurface(frame, heights, x, axes.length === 2 ? y : 0, ex, LIFT);
      return Number.isFinite(p[1]) ? p : [p[0], LIFT, p[2]];
    };
    return { at, runs: model.runs.map((r) => Array.from(r.x, (x, k) => at(x, r.y?.[k] ?? 0))) };
  }, [model, values, axes, scale, ex, version, active]);

  const step = model?.steps[index] ?? 0;
  const drawn = useMemo(() => {
    if (!world || !model || !active) return null;
    return model.runs.map((run, r) => {
      const st = runAt(run, step);
      const trail = world.runs[r].slice(0, st.k + 1).filter((p): p is [number, number, number] => p !== null);
      const head = world.at(st.x, st.y);
      if (head) trail.push(head);
      return { color: run.color, trail, head };
    });
  }, [world, model, active, step]);

  useEffect(() => {
    sceneLook.scale = scale;
    sceneLook.options = options;
  }, [scale, options]);

  // Recording a turn: the camera goes round the orbit centre from where the user left it, and back.
  const turnBase = useRef<{ position: Vector3; target: Vector3 } | null>(null);
  useLayoutEffect(() => {
    if (turn === null) {
      const base = turnBase.current;
      if (base) {
        camera.position.copy(base.position);
        controls?.target.copy(base.target);
        camera.lookAt(base.target);
        controls?.update();
        turnBase.current = null;
      }
      return;
    }
    turnBase.current ??= {
      position: camera.position.clone(),
      target: controls?.target.clone() ?? new Vector3(0, 0, 0),
    };
    const { position, target } = turnBase.current;
    const offset = position
      .clone()
      .sub(target)
      .applyAxisAngle(new Vector3(0, 1, 0), turn);
    camera.position.copy(target).add(offset);
    camera.lookAt(target);
    controls?.update();
  }, [turn, camera, controls]);

  // What the next frame shows: the token it answers (set with the objects it draws).
  const shownToken = useRef(0);
  useLayoutEffect(() => {
    shownToken.current = frameToken;
  }, [frameToken]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new picture of the replay (or a recorder's request) needs a frame
  useEffect(() => {
    invalidate();
  }, [drawn, frameToken, turn, invalidate]);

  // Note when the frame with this position is on screen (queued before the presenter renders).
  useFrame(() => {
    const shown = index;
    const token = shownToken.current;
    const withReplay = drawn !== null;
    afterPresent("replay", () => {
      replayStore.setState((s) => ({
        presentedToken: Math.max(s.presentedToken, token),
        ...(withReplay ? { presented: shown, presentedCount: s.presentedCount + 1 } : {}),
      }));
    });
  });

  if (!drawn) return null;
  return (
    <group>
      {drawn.map(({ color, trail, head }, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: runs keep their order
        <group key={r}>
          {trail.length >= 2 && <Line points={trail} color={color} lineWidth={3} />}
          {head && (
            <mesh position={head} scale={markerScale}>
              <sphereGeometry args={[MARKER_RADIUS * 1.15, 20, 14]} />
              <meshBasicMaterial color={color} />
            </mesh>
          )}
        </group>
      ))}
    </group>
  );
}
