/**
 * What the presentation keys drive (space: play or pause, arrows: step). Whatever can be played
 * provides a Transport while it is mounted; the last one provided wins, so a replay timeline
 * mounted later takes the keys over from the training transport, and gives them back when it
 * unmounts. The key handling (presentation-keys.ts, PresentationMode.tsx) only ever calls
 * `currentTransport()` (through driveTransport).
 *
 * @example useEffect(() => provideTransport({ name: "replay", playPause, step }), []);
 */

export interface Transport {
  /** Who drives it, e.g. "training" (shown in the presentation hint, read by tests). */
  name: string;
  /** Space: play when paused, pause when playing; nothing when there is nothing to play. */
  playPause(): void;
  /** Right arrow (1) or left arrow (-1): one step; a direction the transport cannot go is ignored. */
  step(direction: 1 | -1): void;
}

const provided: Transport[] = [];
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of listeners) listener();
}

/** Make `transport` the one the keys drive until the returned function is called. */
export function provideTransport(transport: Transport): () => void {
  provided.push(transport);
  changed();
  return () => {
    const i = provided.lastIndexOf(transport);
    if (i >= 0) {
      provided.splice(i, 1);
      changed();
    }
  };
}

/** Call `listener` whenever the current transport may have changed; returns the unsubscribe. */
export function subscribeTransport(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The transport the keys drive now: the last one provided that is still there. */
export function currentTransport(): Transport | null {
  return provided.length > 0 ? provided[provided.length - 1] : null;
}

/** What a key asks of the transport: play or pause, one step forward or back. */
type TransportAction = "play-pause" | "step-forward" | "step-back";

/**
 * Carry out a key's action on `transport` (by default the current one). Returns whether there was
 * a transport to drive.
 *
 * @example driveTransport("step-forward") // the replay (or the training) steps once
 */
export function driveTransport(action: TransportAction, transport = currentTransport()): boolean {
  if (!transport) return false;
  if (action === "play-pause") transport.playPause();
  else transport.step(action === "step-forward" ? 1 : -1);
  return true;
}
