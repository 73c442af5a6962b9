/**
 * The export menu: every format of src/app/io/export-formats.ts, each greyed out with the reason
 * when it does not apply to what is shown (an imported surface file has no model for a snapshot
 * or directions file; the glTF and PNG need the 3D tab), and the PNG's resolution.
 */
import { useCallback, useRef, useState, useSyncExternalStore } from "react";
import { gridPointCount } from "../core/landscape/grid";
import { CURRENT_VIEW, sceneHandle, scenesVersion, subscribeScenes } from "../scene/export-registry";
import { appStore, selectShownLandscape, useAppStore } from "../state/store";
import { type ExportContext, type ExportFormat, exportMenu, PNG_SCALES } from "./io/export-formats";
import { buildExport, exportSourceOf } from "./io/exporters";
import { downloadBlob } from "./io/snapshot-files";
import "./io/export-menu.css";
import { useDismiss } from "./useDismiss";

/** What is on screen, for the formats' availability. */
function useExportContext(): ExportContext {
  const landscape = useAppStore((s) => s.landscape);
  const imported = useAppStore((s) => s.imported);
  const shown = useAppStore(selectShownLandscape);
  const sampling = useAppStore((s) => s.job.phase === "sampling");
  useSyncExternalStore(subscribeScenes, scenesVersion);
  const handle = sceneHandle(CURRENT_VIEW);
  const busy = landscape !== null && (landscape.done < gridPointCount(landscape.snapshot.grid) || sampling);
  return {
    snapshot: landscape !== null && !busy,
    surface: (landscape !== null && !busy) || imported !== null,
    dims: shown?.snapshot.grid.axes.length ?? 0,
    view: handle ? (handle.surface ? "surface" : "curve") : "none",
    busy,
  };
}

/** "Export as…": a menu of every format. */
export function ExportMenu({ onError }: { onError(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [running, setRunning] = useState<string | null>(null);
  const [pngScale, setPngScale] = useState<number>(2);
  const root = useRef<HTMLDivElement>(null);
  const ctx = useExportContext();
  const metric = useAppStore((s) => s.settings.metric);

  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, root, close);

  const run = async (format: ExportFormat) => {
    const source = exportSourceOf(appStore.getState());
    if (!source) return;
    setRunning(format.id);
    try {
      const built = await buildExport(format.id, source, { metric, pngScale });
      downloadBlob(built.blob, built.name);
      if (built.note) appStore.getState().notify(`${built.name}: ${built.note}`, "info");
      setOpen(false);
    } catch (err) {
      onError(`export as ${format.label} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setRunning(null);
    }
  };

  const cssSize = open ? sceneHandle(CURRENT_VIEW)?.three().size : undefined;
  const items = exportMenu(ctx);
  const anyAvailable = items.some((item) => item.reason === null);

  return (
    <div className="export-menu" ref={root}>
      <button
        type="button"
        data-testid="export-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={!anyAvailable}
        title={`Export the landscape: ${items.map((item) => item.format.label).join(", ")}`}
        onClick={() => setOpen((o) => !o)}
      >
        Export as… ▾
      </button>
      {open ? (
        <div className="export-menu-list" role="menu" data-testid="export-formats">
          {items.map(({ format, reason }) => {
            return (
              <button
                key={format.id}
                type="button"
                role="menuitem"
                data-testid={`export-${format.id}`}
                disabled={reason !== null || running !== null}
                title={reason ?? format.description}
                onClick={() => void run(format)}
              >
                <span>{format.label}</span>
                {running === format.id ? <span className="export-menu-note">writing…</span> : null}
                {reason !== null ? <span className="export-menu-note">{reason}</span> : null}
              </button>
            );
          })}
          <label className="export-menu-option">
            PNG size
            <select
              data-testid="export-png-scale"
              value={pngScale}
              onChange={(e) => setPngScale(Number(e.target.value))}
            >
              {PNG_SCALES.map((k) => (
                <option key={k} value={k}>
                  {cssSize
                    ? `${k}x (${Math.round(cssSize.width * k)} × ${Math.round(cssSize.height * k)} px)`
                    : `${k}x`}
                </option>
              ))}
            </select>
          </label>
        </div>
      ) : null}
    </div>
  );
}
