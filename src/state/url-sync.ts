/**
 * Keeps the URL hash and the store's settings in step (a lesson's or a route preset's landscape
 * is linked by its name, hashOf): settings changes are written with
 * history.replaceState (debounced, so dragging a slider does not flood the history API), and the
 * hash is read on start and on every hashchange (a pasted link, back/forward).
 *
 * @example useEffect(() => startUrlSync(appStore), []);
 */

import type { StoreApi } from "zustand/vanilla";
import { routeHash, sameExperiment } from "./origin";
import type { AppState } from "./store";
import { decodeHash, encodeHash, withPresentKey } from "./url";

/**
 * The hash of the page: the lesson or preset the shown landscape came from while the controls
 * still hold its settings (its settings alone would not open it), else the controls' settings;
 * followed by `present=1` in presentation mode.
 */
export function hashOf(
  state: Pick<AppState, "settings" | "landscape"> & Partial<Pick<AppState, "presenting">>,
): string {
  const origin = state.landscape?.origin;
  const body =
    origin?.route && sameExperiment(origin.settings, state.settings)
      ? routeHash(origin.route)
      : encodeHash(state.settings);
  return withPresentKey(body, state.presenting === true);
}

/** The parts of `window` this module uses (tests pass a fake). */
export interface UrlEnv {
  location: { hash: string; pathname: string; search: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  addEventListener(type: "hashchange", listener: () => void): void;
  removeEventListener(type: "hashchange", listener: () => void): void;
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const URL_WRITE_DELAY_MS = 150;

/**
 * Start syncing; returns the cleanup, which writes any pending change before it stops.
 * On start the hash is read (defaults plus what it gives; problems are posted as messages) and
 * rewritten in canonical form, so a link with a bad value no longer carries it.
 */
export function startUrlSync(
  store: StoreApi<AppState>,
  options: { env?: UrlEnv; delayMs?: number } = {},
): () => void {
  const env = options.env ?? (window as unknown as UrlEnv);
  const delay = options.delayMs ?? URL_WRITE_DELAY_MS;
  let timer: unknown = null;

  const currentBody = () =>
    env.location.hash.startsWith("#") ? env.location.hash.slice(1) : env.location.hash;

  const write = () => {
    timer = null;
    const body = hashOf(store.getState());
    if (body === currentBody()) return;
    const { pathname, search } = env.location;
    env.history.replaceState(env.history.state, "", `${pathname}${search}${body ? `#${body}` : ""}`);
  };

  const cancelPending = () => {
    if (timer !== null) env.clearTimeout(timer);
    timer = null;
  };

  const read = () => {
    cancelPending();
    const hash = env.location.hash;
    // Our own canonical hash: nothing to do (also avoids undoing a change that is being typed).
    if (hash.replace(/^#/, "") === hashOf(store.getState())) return;
    const { values, problems, route, present } = decodeHash(hash);
    const state = store.getState();
    for (const problem of problems) state.notify(problem, "warn");
    state.resetSettings(values, "URL");
    state.setPresenting(present === true);
    // A lesson or preset link: the app opens it (useLab at start, App on later changes).
    state.requestRoute(route);
  };

  read();
  write();

  const unsubscribe = store.subscribe((state, previous) => {
    if (
      state.settings === previous.settings &&
      state.landscape === previous.landscape &&
      state.presenting === previous.presenting
    )
      return;
    cancelPending();
    timer = env.setTimeout(write, delay);
  });
  const onHashChange = () => read();
  env.addEventListener("hashchange", onHashChange);

  return () => {
    unsubscribe();
    env.removeEventListener("hashchange", onHashChange);
    if (timer !== null) {
      cancelPending();
      write();
    }
  };
}
