/**
 * The paths panel's t slider: w(t) is a weighted sum of the path's stored points (path-probe.ts,
 * no tfjs), marked on the plane, and the decision boundary at w(t) is drawn by a worker
 * (model-picture.ts, as for a picked point). A view interaction, not a job: it writes the store
 * directly, as the lab's inspection of a picked point does.
 *
 * @example await slider.probe(0, 0.5); // the straight line's midpoint, marked and drawn
 */
import type { StoreApi } from "zustand";
import { pathPointAt } from "../core/paths/point";
import { planeCoordinates } from "../state/path-probe";
import type { AppState } from "../state/store";
import { boundaryFor } from "./model-picture";
import type { ComputePool } from "./pool";

export class PathsSlider {
  private probeToken = 0;
  private probeBusy = false;
  private probeNext: { path: number; t: number } | null = null;

  constructor(
    private readonly pool: () => ComputePool,
    private readonly store: StoreApi<AppState>,
  ) {}

  /**
   * Mark w(t) of path `path` (an index into the current snapshot's paths section) on the plane
   * and draw the network at w(t) in the data plot. Moves faster than the worker draws are
   * coalesced: at most one drawing runs, then the latest position.
   */
  async probe(path: number, t: number): Promise<void> {
    const st = () => this.store.getState();
    const snapshot = st().landscape?.snapshot;
    const section = snapshot?.paths;
    const entry = section?.paths[path];
    if (!snapshot || !section || !entry) return;
    const w = pathPointAt(entry, t);
    const at = section.plane ? planeCoordinates(section.plane, w) : { x: 0, y: 0, offPlane: Number.NaN };
    // The data plot now shows w(t), not a point picked on the surface.
    if (st().picked) st().setPicked(null);
    st().setPathProbe({ path, t, ...at });
    this.probeNext = { path, t };
    if (this.probeBusy) return;
    this.probeBusy = true;
    try {
      while (this.probeNext) {
        const next = this.probeNext;
        this.probeNext = null;
        const current = st().landscape?.snapshot;
        const p = current?.paths?.paths[next.path];
        if (!current || !p) break;
        const token = ++this.probeToken;
        const picture = await boundaryFor(this.pool(), current, pathPointAt(p, next.t));
        if (token === this.probeToken && st().landscape?.snapshot === current) st().setBoundary(picture);
      }
    } catch (err) {
      st().notify(`cannot draw the model at w(t): ${(err as Error).message}`, "warn");
    } finally {
      this.probeBusy = false;
    }
  }

  /** Forget the probe: the data plot shows theta1 again. */
  async clear(): Promise<void> {
    const st = () => this.store.getState();
    this.probeNext = null;
    this.probeToken++;
    st().setPathProbe(null);
    const snapshot = st().landscape?.snapshot;
    if (!snapshot?.paths) return;
    const picture = await boundaryFor(this.pool(), snapshot, snapshot.model.parameters);
    if (st().landscape?.snapshot === snapshot) st().setBoundary(picture);
  }
}
