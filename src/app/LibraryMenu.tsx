/**
 * The local library (IndexedDB): save the current landscape under a name, list the saved ones
 * with a thumbnail and a summary, reopen one, put one beside the current landscape for
 * comparison (one colour scale), or delete one. The Lab does the storage; this only asks it.
 */
import { useCallback, useEffect, useId, useState } from "react";
import type { Lab } from "../compute/lab";
import type { LibraryEntry } from "../library/snapshot-db";
import { useAppStore } from "../state/store";
import { thumbnailDataUrl } from "./library/thumbnail";

export function LibraryMenu({ lab, onError }: { lab: Lab | null; onError(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<LibraryEntry[]>([]);
  const [name, setName] = useState("");
  const nameId = useId();
  const hasLandscape = useAppStore((s) => s.landscape !== null && s.job.phase !== "sampling");
  const dataName = useAppStore((s) => s.landscape?.snapshot.data.name ?? "");

  const refresh = useCallback(async () => {
    if (lab) setEntries(await lab.listLibrary());
  }, [lab]);
  useEffect(() => {
    if (open) void refresh();
  }, [open, refresh]);

  const act = (what: () => Promise<unknown>) => async () => {
    try {
      await what();
      await refresh();
    } catch (err) {
      onError((err as Error).message);
    }
  };

  return (
    <div className="library">
      <button
        type="button"
        data-testid="library-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        title="Landscapes saved in this browser: reopen one in the views, or show it beside the current one"
      >
        Library
      </button>
      {open ? (
        <div className="library-panel" data-testid="library" role="dialog" aria-label="Saved snapshots">
          <form
            className="library-save"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await lab?.saveToLibrary(name || dataName, thumbnailDataUrl);
                setName("");
              })();
            }}
          >
            <label htmlFor={nameId}>Name</label>
            <input
              id={nameId}
              data-testid="library-name"
              value={name}
              placeholder={dataName || "a name"}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit" data-testid="library-save" disabled={!hasLandscape || !lab}>
              Save current
            </button>
          </form>
          {entries.length === 0 ? (
            <p className="library-empty">Nothing saved yet.</p>
          ) : (
            <ul className="library-list">
              {entries.map((e) => (
                <li key={e.id} data-testid="library-entry" data-id={e.id}>
                  {e.thumbnail ? (
                    <img src={e.thumbnail} alt="" width={48} height={48} />
                  ) : (
                    <span className="library-nothumb" />
                  )}
                  <div className="library-text">
                    <strong>{e.name}</strong>
                    <span>{e.summary}</span>
                    <span className="library-date">{new Date(e.savedAt).toLocaleString()}</span>
                  </div>
                  <div className="library-actions">
                    <button
                      type="button"
                      data-testid="library-open"
                      onClick={act(async () => lab?.openFromLibrary(e.id, e.name))}
                    >
                      Open
                    </button>
                    <button
                      type="button"
                      data-testid="library-compare"
                      title="show beside the current landscape, on the same colour scale"
                      onClick={act(async () => lab?.openFromLibrary(e.id, e.name, "compare"))}
                    >
                      Compare
                    </button>
                    <button
                      type="button"
                      data-testid="library-delete"
                      onClick={act(async () => lab?.removeFromLibrary(e.id))}
                    >
                      Delete
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
