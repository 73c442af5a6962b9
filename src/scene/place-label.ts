/**
 * Where a DOM label pinned to a projected 3D point goes (SceneLabels.tsx): beside its point as its
 * anchor says, moved inside the view when it would stick out. Pure.
 */
import type { SceneLabel } from "./labels";

/** Space kept between a label and the edge of the view (CSS px). */
const EDGE = 3;

/**
 * The top-left corner of a `width` x `height` label anchored at the projected point (x, y), moved
 * inside the view (`viewWidth` x `viewHeight`, keeping EDGE free) when it would stick out: a
 * label is never cut by the view's edge. Pure.
 *
 * @example placeLabel(2, 50, "left", 40, 14, 300, 200) // { left: 3, top: 43 }
 */
export function placeLabel(
  x: number,
  y: number,
  anchor: SceneLabel["anchor"],
  width: number,
  height: number,
  viewWidth: number,
  viewHeight: number,
): { left: number; top: number } {
  let left = x - width / 2;
  let top = y - height / 2;
  if (anchor === "left") left = x - width - 6;
  else if (anchor === "right") left = x + 6;
  else if (anchor === "below") top = y + 4;
  left = Math.max(EDGE, Math.min(left, viewWidth - width - EDGE));
  top = Math.max(EDGE, Math.min(top, viewHeight - height - EDGE));
  return { left, top };
}
