/**
 * What the landscape panel draws, and when: a landscape that grows in place (a job filling its
 * grid: the same snapshot, more points `done`, its version bumped) is drawn in React's deferred
 * render, which runs in later tasks and yields between components; anything else (another
 * landscape, a path probe, the options) at once, in the update's own render, and so is the last
 * growth, which completes the grid: a job reports "done" only after its views show all of it.
 *
 * Why: the store update that reports new grid points runs in a task of its own, and drawing
 * them costs tens of milliseconds of main-thread time on a 201 x 201 grid (the colour scale's
 * quantile over every value, the 3D view, the slices). Done in that one render it made one task
 * of 50-80 ms while another heavy job kept both cores of a 2-core machine busy; deferred, the
 * same work is split at component boundaries. The views draw one consistent state (grid points,
 * count and version of one update); they are at most one deferred render behind the store.
 *
 * @example const { landscape, version } = useDrawnLandscape(useAppStore(selectShownLandscape), useAppStore((s) => s.landscapeVersion));
 */
import { useDeferredValue } from "react";
import type { DrawnLandscape } from "../state/types";

/** Whether `b` is `a` grown in place: the same snapshot and everything else but the count `done`. */
export function grewInPlace(a: DrawnLandscape | null, b: DrawnLandscape | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (key === "done") continue;
    if ((a as unknown as Record<string, unknown>)[key] !== (b as unknown as Record<string, unknown>)[key])
      return false;
  }
  return true;
}

export function useDrawnLandscape<T extends DrawnLandscape>(
  latest: T | null,
  latestVersion: number,
): { landscape: T | null; version: number } {
  const landscape = useDeferredValue(latest);
  const version = useDeferredValue(latestVersion);
  // In the deferred render both are the latest; in the update's own render they are the previous
  // ones, which are kept only while the landscape merely grew and is not complete yet.
  const growing = latest !== null && latest.done < latest.total;
  return growing && grewInPlace(landscape, latest)
    ? { landscape, version }
    : { landscape: latest, version: latestVersion };
}
