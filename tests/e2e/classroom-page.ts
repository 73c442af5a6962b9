/**
 * What the classroom tests measure on the page: the boxes of the landscape pictures and of every
 * text of the views, their legends and axis labels, each with the box that clips it. The rules
 * are checked in Node (layout-geometry.ts).
 */
import type { Page } from "playwright-core";
import type { Rect, TextBox } from "./layout-geometry";

export interface Measured {
  viewport: { width: number; height: number };
  /**
   * The visible picture of every shown 3D view (data-testid "...-picture"); `current`: its pixels
   * were drawn at its present size.
   */
  pictures: (Rect & { id: string; current: boolean })[];
  texts: TextBox[];
  /** Which panels are docked (layout.ts): "docked" or "drawer". */
  controls: string;
  side: string;
}

/**
 * Runs in the page (plain JavaScript text: no transpiler helper may end up in it). Texts: the 3D
 * views' axis and value labels (clipped by their stage), the marker and path keys, the panes'
 * titles, the contour map's header, the colour legend's title and ticks (clipped by the legend),
 * a presentation caption. Only what is displayed counts.
 */
const MEASURE_SCRIPT = `(() => {
  const shown = (el) => {
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
  const viewport = { width: window.innerWidth, height: window.innerHeight };
  const screen = { x: 0, y: 0, width: viewport.width, height: viewport.height };
  const pictures = [];
  const dpr = window.devicePixelRatio || 1;
  for (const c of document.querySelectorAll('.landscape-panel [data-testid$="-picture"]')) {
    if (!shown(c)) continue;
    const b = box(c);
    // Whether the picture on screen was drawn at this size (a frame drawn for the size before a
    // resize is shown stretched until the next one is presented, with its labels where they were).
    const current = Math.abs(c.width - b.width * dpr) <= 2 && Math.abs(c.height - b.height * dpr) <= 2;
    pictures.push({ id: c.getAttribute("data-testid"), ...b, current });
  }
  const groups = [
    [".landscape-panel .scene-label", ".scene-stage"],
    [".landscape-panel .scene-marker-legend li", ".scene-root"],
    [".landscape-panel .path-legend-entry", ".scene-root"],
    [".landscape-panel .view-title", null],
    [".landscape-panel .vw-header > *", ".vw-panel"],
    [".landscape-panel .toolbar-legend .scene-legend-title", ".scene-legend"],
    [".landscape-panel .toolbar-legend .scene-legend-tick", ".scene-legend"],
    [".landscape-panel .presentation-caption > *", null],
  ];
  const texts = [];
  for (const [selector, clipSelector] of groups) {
    document.querySelectorAll(selector).forEach((el, i) => {
      if (!shown(el)) return;
      const owner = el.closest("[data-testid]");
      const where = owner ? owner.getAttribute("data-testid") : "";
      const clipEl = clipSelector ? el.closest(clipSelector) : null;
      const clip = clipEl ? box(clipEl) : screen;
      const text = (el.textContent || "").trim().slice(0, 40);
      texts.push({ id: selector.split(" ").pop() + "[" + i + "]@" + where + ' "' + text + '"', ...box(el), clip });
    });
  }
  const layout = document.querySelector('[data-testid="lab-layout"]');
  return {
    viewport, pictures, texts,
    controls: layout ? layout.getAttribute("data-controls") : "",
    side: layout ? layout.getAttribute("data-side") : "",
  };
})()`;

export async function measureLayout(page: Page): Promise<Measured> {
  return (await page.evaluate(MEASURE_SCRIPT)) as Measured;
}

/** A short fingerprint of the measured boxes (rounded), to wait until the layout stops moving. */
function fingerprint(m: Measured): string {
  const r = (b: Rect) => [b.x, b.y, b.width, b.height].map((v) => Math.round(v)).join(",");
  return [...m.pictures.map(r), ...m.texts.map(r)].join(";");
}

/**
 * The layout once it has settled: views resize and their labels are placed on the frames after a
 * resize, which arrive later on a busy machine (a frame is shown once drawn). So measure until
 * every picture was drawn at its present size and two measurements 300 ms apart agree (or
 * `timeoutMs` passes; the last measurement is returned either way, for the caller's assertions
 * to name what is wrong).
 */
export async function settledLayout(page: Page, timeoutMs = 30_000): Promise<Measured> {
  const deadline = Date.now() + timeoutMs;
  let last = await measureLayout(page);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await measureLayout(page);
    const drawn = now.pictures.every((p) => p.current);
    if ((drawn && fingerprint(now) === fingerprint(last)) || Date.now() > deadline) return now;
    last = now;
  }
}
