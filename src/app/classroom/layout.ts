/**
 * Which side panels sit beside the landscape views and which fold into drawers, for a window
 * of a given width showing `views` landscape views side by side (one view; a comparison or a
 * flatness lesson: two). The rule of the classroom layout: the panels give way before the
 * views shrink. The side panel (the model on its data, the training charts) folds first, then
 * the controls; a folded panel opens as a drawer over the views. Pure, no DOM.
 *
 * @example chooseDocking(1280, 2) // { controls: true, side: false }
 */

/** Width of the docked controls column (app.css `.lab-layout`). */
export const CONTROLS_WIDTH = 300;
/** Width of the docked side panel column (app.css `.lab-layout`). */
export const SIDE_WIDTH = 340;
/**
 * A landscape view narrower than this loses room to its labels: the panels fold rather than
 * squeeze a view below it.
 */
export const VIEW_MIN_WIDTH = 420;
/** Below this width per view (both panels folded), two views stack instead of sitting side by side. */
const STACK_BELOW = 340;

export interface Docking {
  /** The controls are a column on the left (false: a drawer). */
  controls: boolean;
  /** The model and training panel is a column on the right (false: a drawer). */
  side: boolean;
  /** Two views go one above the other (a very narrow window) instead of side by side. */
  stacked: boolean;
}

export function chooseDocking(width: number, views: number): Docking {
  const n = Math.max(1, Math.floor(views));
  const fits = (room: number) => room / n >= VIEW_MIN_WIDTH;
  if (!Number.isFinite(width)) return { controls: true, side: true, stacked: false };
  if (fits(width - CONTROLS_WIDTH - SIDE_WIDTH)) return { controls: true, side: true, stacked: false };
  if (fits(width - CONTROLS_WIDTH)) return { controls: true, side: false, stacked: false };
  return { controls: false, side: false, stacked: n > 1 && width / n < STACK_BELOW };
}
