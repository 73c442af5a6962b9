/**
 * Pure geometry of the classroom layout checks (classroom.test.ts): boxes measured from the DOM
 * (getBoundingClientRect, CSS pixels) and the rules they must keep: no two text boxes overlap, no
 * text box sticks out of the box that clips it, and each landscape picture is large enough and
 * inside the viewport. No DOM here: tests/unit/classroom.test.ts checks it on literals.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A text box: what it says (for messages), where it is, and the box it must stay inside. */
export interface TextBox extends Rect {
  id: string;
  /** The box that clips it (its view, its legend, the viewport). */
  clip: Rect;
}

/**
 * Width and height of the common part of `a` and `b` (0 when they do not meet). Touching edges
 * share no area.
 *
 * @example overlapOf({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 8, width: 10, height: 10 }) // { width: 5, height: 2 }
 */
export function overlapOf(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? { width, height } : { width: 0, height: 0 };
}

/**
 * Whether `a` and `b` overlap by more than `slack` CSS px in both directions (sub-pixel contact of
 * neighbouring lines of text is not an overlap).
 */
export function overlaps(a: Rect, b: Rect, slack = 1): boolean {
  const o = overlapOf(a, b);
  return o.width > slack && o.height > slack;
}

/** Every pair of boxes that overlap, as "id A ⟷ id B". Boxes without area are ignored. */
export function overlappingPairs(boxes: readonly TextBox[], slack = 1): string[] {
  const shown = boxes.filter((b) => b.width > 0 && b.height > 0);
  const pairs: string[] = [];
  for (let i = 0; i < shown.length; i++)
    for (let j = i + 1; j < shown.length; j++)
      if (overlaps(shown[i], shown[j], slack)) pairs.push(`${shown[i].id} ⟷ ${shown[j].id}`);
  return pairs;
}

/** Whether `inner` lies inside `outer`, allowing `slack` CSS px on each side. */
export function contains(outer: Rect, inner: Rect, slack = 1): boolean {
  return (
    inner.x >= outer.x - slack &&
    inner.y >= outer.y - slack &&
    inner.x + inner.width <= outer.x + outer.width + slack &&
    inner.y + inner.height <= outer.y + outer.height + slack
  );
}

/** The boxes that stick out of their clip (their text is cut off), by id. */
export function clippedTexts(boxes: readonly TextBox[], slack = 1): string[] {
  return boxes.filter((b) => b.width > 0 && b.height > 0 && !contains(b.clip, b, slack)).map((b) => b.id);
}

/** The least a landscape picture must get: CSS px, and the share of the viewport's width or height. */
export const PICTURE_MIN = { width: 320, height: 220, share: 0.45 } as const;

/**
 * What is wrong with a landscape picture's box in a viewport: smaller than 320 x 220, less than
 * 45% of both the viewport's width and its height, or not wholly inside the viewport. Empty when
 * it is fine.
 *
 * @example pictureProblems({ x: 0, y: 0, width: 300, height: 400 }, { width: 1024, height: 768 }) // ["300 x 400 is less than 320 x 220"]
 */
export function pictureProblems(box: Rect, viewport: { width: number; height: number }): string[] {
  const problems: string[] = [];
  const size = `${Math.round(box.width)} x ${Math.round(box.height)}`;
  if (box.width < PICTURE_MIN.width || box.height < PICTURE_MIN.height)
    problems.push(`${size} is less than ${PICTURE_MIN.width} x ${PICTURE_MIN.height}`);
  if (box.width < PICTURE_MIN.share * viewport.width && box.height < PICTURE_MIN.share * viewport.height)
    problems.push(`${size} is less than 45% of the viewport's width and of its height`);
  if (!contains({ x: 0, y: 0, ...viewport }, box, 0.5))
    problems.push(`${size} at (${Math.round(box.x)}, ${Math.round(box.y)}) is not inside the viewport`);
  return problems;
}
