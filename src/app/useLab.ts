import { useEffect, useState } from "react";
import { Lab } from "../compute/lab";
import { appStore } from "../state/store";
import { startUrlSync } from "../state/url-sync";

export type LabStatus =
  | { kind: "starting" }
  | { kind: "ready"; backend: string; workers: number; selfCheck: string }
  | { kind: "error"; message: string };

/**
 * Start the lab once: URL state, the worker pool, a first run (a person opening the app sees a
 * landscape without touching anything), then a background backend calibration.
 */
export function useLab(): { lab: Lab | null; status: LabStatus } {
  const [lab, setLab] = useState<Lab | null>(null);
  const [status, setStatus] = useState<LabStatus>({ kind: "starting" });

  useEffect(() => {
    let live = true;
    const stopUrlSync = startUrlSync(appStore);
    const instance = new Lab(appStore);
    setLab(instance);
    (async () => {
      try {
        await instance.start();
        const init = await instance.pool.init();
        const check = await instance.pool.primary.api.selfCheck();
        if (!live) return;
        setStatus({
          kind: "ready",
          backend: init.backend,
          workers: instance.pool.size,
          selfCheck: check.ok ? "self-check ok" : `self-check FAILED (${check.error})`,
        });
        await instance.run();
        if (!live) return;
        const calibration = await instance.calibrate();
        if (live && calibration.backend !== init.backend) {
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
      stopUrlSync();
      instance.terminate();
    };
  }, []);

  return { lab, status };
}
