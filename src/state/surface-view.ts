/**
 * How a surface is drawn, as the app's state holds it (the scene draws it: scene/scale.ts maps
 * each colormap name to its d3 interpolator). Kept apart from types.ts so that the settings'
 * properties can name these without importing the rest of the state's types.
 */

/** The colour maps the controls offer, in menu order (scene/scale.ts: COLORMAPS). */
export const COLORMAP_NAMES = ["viridis", "magma", "inferno", "plasma", "cividis", "turbo"] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

export type SurfaceMetric = "train_loss" | "test_loss" | "train_accuracy" | "test_accuracy";

/** How a surface is drawn; the same options drive the 3D view, the contour view and the legend. */
export interface SurfaceViewOptions {
  metric: SurfaceMetric;
  /** log10 colour and height scale (losses). */
  logScale: boolean;
  /** Height multiplier of the 3D surface. */
  exaggeration: number;
  /** Values above this quantile are clipped (1 = none). */
  clipQuantile: number;
  /** Number of contour levels (0 = none). */
  contours: number;
  wireframe: boolean;
  colormap: ColormapName;
}
