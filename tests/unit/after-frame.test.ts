/**
 * Waiting for the page's next frame (src/compute/after-frame.ts): after the frame's rendering work
 * in a browser, never forever without frames (a hidden tab), one turn of the event loop in Node.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { afterNextFrame } from "../../src/compute/after-frame";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("waiting for the next frame", () => {
  it("takes one turn of the event loop where there are no animation frames (Node)", async () => {
    const order: string[] = [];
    const waited = afterNextFrame().then(() => order.push("after"));
    order.push("now");
    await waited;
    expect(order).toEqual(["now", "after"]);
  });

  it("resolves in a task after the frame's callbacks", async () => {
    let frame: (() => void) | null = null;
    vi.stubGlobal("requestAnimationFrame", (callback: () => void) => {
      frame = callback;
      return 1;
    });
    let resolved = false;
    const waited = afterNextFrame().then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(resolved).toBe(false);
    (frame as (() => void) | null)?.();
    expect(resolved).toBe(false);
    await waited;
    expect(resolved).toBe(true);
  });

  it("gives up waiting when no frame comes (a hidden tab draws none)", async () => {
    vi.useFakeTimers();
    vi.stubGlobal("requestAnimationFrame", () => 1);
    let resolved = false;
    void afterNextFrame().then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
  });
});
