import { useEffect, useState } from "react";
import { Lab, LabStoppedError } from "../compute/lab";
import { shadersWarm } from "../scene/ShaderWarmup";
import { appStore } from "../state/store";
import { startUrlSync } from "../state/url-sync";
import { LabHandle } from "./lab-handle";
import { warmUpScale } from "./scale-warmup";
import { installScriptingHook } from "./scripting";

export type LabStatus =
  | { kind: "starting" }
  | { kind: "ready"; backend: string; workers: number; selfCheck: string }
  | { kind: "error"; message: string };

/**
 * Start the lab once: URL state, the worker pool, a first run (a person opening the app sees a
 * landscape without touching anything), then, on first use only, a background calibration of the
 * backend and the evaluation path (remembered for later visits).
 *
 * `handle` is for the controls' handlers: a preset or lesson picked while the lab starts waits
 * for it (`handle.whenStarted()`) and, picked through `handle.choose`, is what runs: the first
 * run then leaves it alone (Lab.firstRun).
 */
export function useLab(): { lab: Lab | null; status: LabStatus; handle: LabHandle } {
  const [lab, setLab] = useState<Lab | null>(null);
  const [status, setStatus] = useState<LabStatus>({ kind: "starting" });
  const [handle] = useState(() => new LabHandle());

  useEffect(() => {
    let live = true;
    const stopUrlSync = startUrlSync(appStore);
    const instance = new Lab(appStore);
    installScriptingHook().lab = instance;
    instance.onBackend = (backend, workers) =>
      live && setStatus((s) => (s.kind === "ready" ? { ...s, backend, workers } : s));
    handle.starting(instance);
    setLab(instance);
    (async () => {
      let started: Awaited<ReturnType<Lab["start"]>>;
      try {
        started = await instance.start();
      } catch (err) {
        // A lab stopped on purpose (an unmount; StrictMode's first mount in development) is not
        // an error; a real failure is (start() has posted it as a message too).
        if (!live || err instanceof LabStoppedError) return;
        handle.failed(instance);
        setStatus({ kind: "error", message: err instanceof Error ? err.message : String(err) });
        return;
      }
      if (!live) return;
      handle.started(instance);
      setStatus({ kind: "ready", ...started });
      try {
        // Let the 3D view compile its shaders first, so that task does not land inside the job;
        // the colour scale's fit too (scale-warmup.ts).
        await Promise.race([shadersWarm, new Promise((r) => setTimeout(r, 3000))]);
        await warmUpScale();
        // A preset or lesson picked while the workers started has started its run by now.
        await handle.settled();
        if (!live) return;
        await instance.firstRun();
        // Calibration runs once per device (first use); its choice is remembered.
        if (!live || instance.calibrated) return;
        const calibration = await instance.calibrate();
        if (live && calibration.backend !== started.backend) {
          appStore
            .getState()
            .notify(
              `calibration: ${calibration.backend} is faster here; it is used from the next start`,
              "info",
            );
        }
      } catch (err) {
        if (live && !(err instanceof LabStoppedError))
          setStatus({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      }
    })();
    return () => {
      live = false;
      handle.stopped(instance);
      const hook = installScriptingHook();
      if (hook.lab === instance) hook.lab = null;
      stopUrlSync();
      instance.terminate();
    };
  }, [handle]);

  return { lab, status, handle };
}
