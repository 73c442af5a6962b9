import { describe, expect, it } from "vitest";
import { type FenceStatus, FramePresenter, GIVE_UP_MS } from "../../src/scene/frame-presenter";

/** A presenter on a fake clock and task queue, with a fence the test settles by hand. */
function harness({ fences = true } = {}) {
  /** Set false to make the next present find the drawing buffer resized since the frame. */
  const buffer = { current: true };
  let now = 0;
  const tasks: { at: number; run: () => void; cancelled: boolean }[] = [];
  const log: string[] = [];
  let fence: FenceStatus = "pending";
  let frames = 0;
  const presenter = new FramePresenter(
    {
      render() {
        frames++;
        log.push(`render ${frames}`);
        fence = "pending";
        return fences ? () => fence : null;
      },
      present() {
        if (!buffer.current) {
          log.push(`stale ${frames}`);
          buffer.current = true;
          return false;
        }
        log.push(`present ${frames}`);
        return true;
      },
      schedule(run, ms) {
        const task = { at: now + ms, run, cancelled: false };
        tasks.push(task);
        return () => {
          task.cancelled = true;
        };
      },
      requestFrame: () => log.push("request frame"),
    },
    () => now,
  );
  /** Run the tasks due within `ms` from now, in time order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = tasks.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      tasks.splice(tasks.indexOf(due), 1);
      now = Math.max(now, due.at);
      due.run();
    }
    now = end;
  };
  const settle = (status: FenceStatus) => {
    fence = status;
  };
  return { presenter, log, advance, settle, buffer };
}

describe("FramePresenter", () => {
  it("draws in a task after the animation frame, presents only after its fence signals, never in the task that drew it", () => {
    const { presenter, log, advance, settle } = harness();
    presenter.frame();
    // The animation frame's task only asks for the draw (it holds the page's own work).
    expect(log).toEqual([]);
    expect(presenter.pending).toBe(true);
    advance(0);
    expect(log).toEqual(["render 1"]);
    expect(presenter.pending).toBe(true);
    advance(20);
    expect(log).toEqual(["render 1"]);
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "present 1"]);
    expect(presenter.pending).toBe(false);
  });

  it("keeps one frame in flight: frames asked for meanwhile become one more frame after the present", () => {
    const { presenter, log, advance, settle } = harness();
    presenter.frame();
    presenter.frame();
    advance(0);
    presenter.frame();
    expect(log).toEqual(["render 1"]);
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "present 1", "request frame"]);
    presenter.frame();
    advance(0);
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "present 1", "request frame", "render 2", "present 2"]);
  });

  it("runs after-present callbacks with the frame they were queued for, the latest per key", () => {
    const { presenter, log, advance, settle } = harness();
    presenter.afterPresent("labels", () => log.push("labels A"));
    presenter.afterPresent("labels", () => log.push("labels B"));
    presenter.frame();
    // Queued after the animation frame but before the draw: drawn with frame 1.
    presenter.afterPresent("labels", () => log.push("labels C"));
    advance(0);
    // Queued while frame 1 is in flight: they wait for frame 2.
    presenter.afterPresent("mark", () => log.push("mark"));
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "present 1", "labels C"]);
    presenter.frame();
    advance(0);
    settle("done");
    advance(5);
    expect(log.slice(-2)).toEqual(["present 2", "mark"]);
  });

  it("presents at once without fence support (WebGL1)", () => {
    const { presenter, log, advance } = harness({ fences: false });
    presenter.afterPresent("mark", () => log.push("mark"));
    presenter.frame();
    advance(0);
    expect(log).toEqual(["render 1", "present 1", "mark"]);
    expect(presenter.pending).toBe(false);
  });

  it("presents anyway when the GPU has not finished within the limit", () => {
    const { presenter, log, advance } = harness();
    presenter.frame();
    advance(0);
    advance(GIVE_UP_MS - 10);
    expect(log).toEqual(["render 1"]);
    advance(20);
    expect(log).toEqual(["render 1", "present 1"]);
  });

  it("does not copy a frame whose context was lost, and draws again when asked", () => {
    const { presenter, log, advance, settle } = harness();
    presenter.afterPresent("labels", () => log.push("labels"));
    presenter.frame();
    advance(0);
    presenter.frame();
    settle("lost");
    advance(5);
    expect(log).toEqual(["render 1", "labels", "request frame"]);
  });

  it("stops polling when stopped and asks for a fresh frame when started again", () => {
    const { presenter, log, advance, settle } = harness();
    presenter.frame();
    advance(0);
    presenter.stop();
    settle("done");
    advance(50);
    presenter.frame();
    advance(50);
    expect(log).toEqual(["render 1"]);
    presenter.start();
    expect(log).toEqual(["render 1", "request frame"]);
    presenter.frame();
    advance(0);
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "request frame", "render 2", "present 2"]);
  });

  it("drops a draw that was asked for but not yet run when stopped", () => {
    const { presenter, log, advance } = harness();
    presenter.frame();
    presenter.stop();
    advance(50);
    expect(log).toEqual([]);
    expect(presenter.pending).toBe(false);
  });

  it("keeps the picture and draws again when the canvas was resized since the frame was drawn", () => {
    const { presenter, log, advance, settle, buffer } = harness();
    presenter.afterPresent("mark", () => log.push("mark"));
    presenter.frame();
    advance(0);
    buffer.current = false; // a resize cleared the drawing buffer of the frame in flight
    settle("done");
    advance(5);
    expect(log).toEqual(["render 1", "stale 1", "request frame"]);
    // The mark waits for the frame that is on screen.
    presenter.frame();
    advance(0);
    settle("done");
    advance(5);
    expect(log.slice(3)).toEqual(["render 2", "present 2", "mark"]);
  });
});
