/**
 * Whether this browser has dismissed the "What am I looking at?" explainer: it opens by itself
 * once, on a first visit, and never again after "Got it" (the header's button reopens it).
 * Kept in localStorage beside the lab's other remembered choices.
 */

const EXPLAINER_KEY = "loss-landscape-lab.explainer";

/** The parts of localStorage used here (tests pass a Map-backed fake). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function storage(): KeyValueStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage blocked: the explainer opens on every visit, and closes for the page
  }
}

/** True once the explainer was dismissed in this browser. */
export function explainerSeen(store: KeyValueStore | null = storage()): boolean {
  try {
    return store?.getItem(EXPLAINER_KEY) === "seen";
  } catch {
    return false;
  }
}

/** Remember that the explainer was dismissed. */
export function markExplainerSeen(store: KeyValueStore | null = storage()): void {
  try {
    store?.setItem(EXPLAINER_KEY, "seen");
  } catch {
    // storage full or blocked: it will open again next time
  }
}
