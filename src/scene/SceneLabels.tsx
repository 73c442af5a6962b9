/**
 * DOM labels pinned to 3D points. `LabelLayer` renders the text (React DOM, outside the canvas);
 * `LabelProjector` (inside the canvas) moves each element to its projected point on every
 * rendered frame by writing style.transform, when that frame is on screen: no React state per frame.
 * A label that would stick out of the view is moved inside it (placeLabel).
 */
import { useFrame, useThree } from "@react-three/fiber";
import { type RefObject, useEffect, useMemo } from "react";
import { Vector3 } from "three";
import { type Heightfield, segmentBelowSurface } from "./geometry";
import type { SceneLabel } from "./labels";
import { useAfterPresent } from "./PresentWhenDrawn";
import { placeLabel } from "./place-label";

/** Label elements by key, filled by LabelLayer's callback refs. */
export type LabelElements = Map<string, HTMLElement>;

export function LabelLayer({
  labels,
  elements,
}: {
  labels: SceneLabel[];
  elements: RefObject<LabelElements>;
}) {
  return (
    <div className="scene-labels" aria-hidden="true">
      {labels.map((l) => (
        <span
          key={l.key}
          ref={(el) => {
            if (el) elements.current.set(l.key, el);
            else elements.current.delete(l.key);
          }}
          className={`scene-label scene-label-${l.kind}`}
          style={{ visibility: "hidden" }}
        >
          {l.text}
          {l.detail && <span className="scene-label-detail">{l.detail}</span>}
        </span>
      ))}
    </div>
  );
}

const v = new Vector3();
/**
 * Moves the label elements to their projected points each rendered frame; labels behind the
 * surface (`heightfield`, when given) are dimmed rather than hidden.
 */
export function LabelProjector({
  labels,
  elements,
  heightfield,
}: {
  labels: SceneLabel[];
  elements: RefObject<LabelElements>;
  heightfield?: RefObject<Heightfield | null>;
}) {
  const invalidate = useThree((s) => s.invalidate);
  // New labels need one frame to be placed.
  useEffect(() => {
    if (labels.length > 0) invalidate();
  }, [labels, invalidate]);
  const afterPresent = useAfterPresent();
  const sizes = useLabelSizes(invalidate);
  useFrame(({ camera, size }) => {
    // Positions from this frame's camera, applied when its picture is on screen.
    const placed: { el: HTMLElement; transform: string | null; opacity: string }[] = [];
    for (const l of labels) {
      const el = elements.current.get(l.key);
      if (!el) continue;
      v.set(l.position[0], l.position[1], l.position[2]).project(camera);
      if (v.z > 1 || v.z < -1) {
        placed.push({ el, transform: null, opacity: "" });
        continue;
      }
      const x = ((v.x + 1) / 2) * size.width;
      const y = ((1 - v.y) / 2) * size.height;
      const field = heightfield?.current;
      const hidden = field ? segmentBelowSurface(camera.position.toArray(), l.position, field) : false;
      // Kept inside the view: a label near an edge slides in rather than being cut off.
      const box = sizes.of(el);
      const at = placeLabel(x, y, l.anchor, box.width, box.height, size.width, size.height);
      placed.push({
        el,
        transform: `translate(${at.left.toFixed(1)}px, ${at.top.toFixed(1)}px)`,
        opacity: hidden ? "0.3" : "1",
      });
    }
    afterPresent("labels", () => {
      for (const { el, transform, opacity } of placed) {
        el.style.visibility = transform === null ? "hidden" : "visible";
        if (transform === null) continue;
        el.style.transform = transform;
        el.style.opacity = opacity;
      }
    });
  });
  return null;
}

/**
 * The labels' sizes, kept by a ResizeObserver: reading offsetWidth in every frame made the
 * browser lay the page out inside the animation frame whenever React had changed it since
 * (7-12 ms of a 201 x 201 job's frames). A label not yet observed is measured once.
 */
function useLabelSizes(invalidate: () => void): { of(el: HTMLElement): { width: number; height: number } } {
  const known = useMemo(() => new WeakMap<Element, { width: number; height: number }>(), []);
  const observer = useMemo(
    () =>
      typeof ResizeObserver === "undefined"
        ? null
        : new ResizeObserver((entries) => {
            for (const e of entries) {
              const box = e.borderBoxSize?.[0];
              const el = e.target as HTMLElement;
              known.set(
                el,
                box
                  ? { width: box.inlineSize, height: box.blockSize }
                  : { width: el.offsetWidth, height: el.offsetHeight },
              );
            }
            invalidate();
          }),
    [known, invalidate],
  );
  useEffect(() => () => observer?.disconnect(), [observer]);
  return useMemo(
    () => ({
      of(el: HTMLElement) {
        const cached = known.get(el);
        if (cached) return cached;
        const measured = { width: el.offsetWidth, height: el.offsetHeight };
        if (observer) {
          known.set(el, measured);
          observer.observe(el);
        }
        return measured;
      },
    }),
    [known, observer],
  );
}
