import { useEffect, useState } from "react";
import { Lab } from "../compute/lab";
import { shadersWarm } from "../scene/ShaderWarmup";
import { appStore } from "../state/store";
import { startUrlSync } from "../state/url-sync";
import { installScriptingHook } from "./scripting";

export type LabStatus =
  | { kind: "starting" }
  | { kind: "ready"; backend: string; workers: number; selfCheck: string }
  | { kind: "error"; message: string };

/**
 * Start the lab once: URL state, the worker pool, a first run (a person opening the app sees a
 * landscape without touching anything), then, on first use only, a background calibration of the
 * backend and the evaluation path (remembered for later visits).
 */
export function useLab(): { lab: Lab | null; status: LabStatus } {
  const [lab, setLab] = useState<Lab | null>(null);
  const [status, setStatus] = useState<LabStatus>({ kind: "starting" });

  useEffect(() => {
    let live = true;
    const stopUrlSync = startUrlSync(appStore);
    const instance = new Lab(appStore);
    installScriptingHook().lab = instance;
    instance.onBackend = (backend, workers) =>
      live && setStatus((s) => (s.kind === "ready" ? { ...s, backend, workers } : s));
    setLab(instance);
    (async () => {
      try {
        const started = await instance.start();
        if (!live) return;
        setStatus({ kind: "ready", ...started });
        // Let the 3D view compile its shaders first, so that task does not land inside the job.
        await Promise.race([shadersWarm, new Promise((r) => setTimeout(r, 3000))]);
        if (!live) return;
        // A reload shows the last result of the same experiment instead of computing it again.
        if (!(await instance.restoreLast())) await instance.run();
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
        if (live) setStatus({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      }
    })();
    return () => {
      live = false;
      const hook = installScriptingHook();
      if (hook.lab === instance) hook.lab = null;
      stopUrlSync();
      instance.terminate();
    };
  }, []);

  return { lab, status };
}
