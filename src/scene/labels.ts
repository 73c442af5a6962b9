/**
 * Text labels of the 3D view (axis names and ranges, value-axis ticks) as plain data: a world
 * position and how the text sits around the projected point. The DOM layer in SceneLabels.tsx
 * draws them; drei's Text is avoided (it downloads a font, which fails offline).
 */
import { formatValue, metricTitle } from "./format";
import { type AxisRange, SURFACE_HEIGHT } from "./geometry";
import type { SurfaceScale } from "./scale";

type LabelAnchor = "center" | "left" | "right" | "below";

export interface SceneLabel {
  key: string;
  text: string;
  /** Muted text after the main text (e.g. the axis range). */
  detail?: string;
  position: [number, number, number];
  /** Where the text sits relative to the projected point: centred, to its left, right or below. */
  anchor: LabelAnchor;
  kind: "axis" | "tick";
}

const range = (a: AxisRange) => `${formatValue(a.min, 3)} … ${formatValue(a.max, 3)}`;

/** Value-axis ticks at t = 0, 0.5, 1 placed at world x/z (the vertical line of the frame). */
function valueTicks(
  x: number,
  z: number,
  scale: SurfaceScale,
  exaggeration: number,
  clipped: boolean,
): SceneLabel[] {
  const top = SURFACE_HEIGHT * exaggeration;
  return [0, 0.5, 1].map((t) => ({
    key: `value-${t}`,
    text: `${t === 1 && clipped ? "≥ " : ""}${formatValue(scale.invert(t), 3)}`,
    position: [x, t * top, z],
    anchor: "left",
    kind: "tick",
  }));
}

/**
 * Labels of a 2-D landscape for the default front-right view: x along the front edge (z = +1),
 * y along the right edge (x = +1), the value axis at the front-left corner (-1, 1).
 *
 * @example frameLabels2D(axes[0], axes[1], scale, 1, true)
 */
export function frameLabels2D(
  x: AxisRange & { label: string },
  y: AxisRange & { label: string },
  scale: SurfaceScale,
  exaggeration: number,
  clipped = false,
): SceneLabel[] {
  return [
    { key: "x", text: x.label, detail: range(x), position: [0, 0, 1.12], anchor: "below", kind: "axis" },
    { key: "y", text: y.label, detail: range(y), position: [1.12, 0, 0], anchor: "below", kind: "axis" },
    ...valueTicks(-1, 1, scale, exaggeration, clipped),
  ];
}

/** Labels of a 1-D landscape (curve in the plane z = 0): x ends and name below, value axis on the left. */
export function frameLabels1D(
  x: AxisRange & { label: string },
  metric: string,
  scale: SurfaceScale,
  exaggeration: number,
  clipped = false,
): SceneLabel[] {
  const top = SURFACE_HEIGHT * exaggeration;
  return [
    { key: "x", text: x.label, position: [0, -0.06, 0], anchor: "below", kind: "axis" },
    { key: "x-min", text: formatValue(x.min, 3), position: [-1, -0.03, 0], anchor: "below", kind: "tick" },
    { key: "x-max", text: formatValue(x.max, 3), position: [1, -0.03, 0], anchor: "below", kind: "tick" },
    {
      key: "metric",
      text: metricTitle(metric),
      position: [-1.05, top + 0.06, 0],
      anchor: "center",
      kind: "axis",
    },
    ...valueTicks(-1.05, 0, scale, exaggeration, clipped),
  ];
}
