/**
 * The text of a grid reading: what the 3D view's hover box shows (several lines) and what the
 * keyboard cursor announces to screen readers (one short sentence). Pure, no DOM.
 */
import type { SurfaceMetric } from "../state/types";
import { formatValue, metricTitle } from "./format";

/** The surfaces a reading lists, in this order after the shown metric. */
export const READOUT_METRICS = [
  "train_loss",
  "test_loss",
  "train_accuracy",
  "test_accuracy",
] as const satisfies readonly SurfaceMetric[];

interface ReadoutInput {
  /** The grid's axes (one or two), for their labels. */
  axes: readonly { label: string }[];
  /** Grid coordinates of the point and every surface's value there. */
  reading: { x: number; y: number; values: Readonly<Record<string, number>> };
  /** The shown metric: listed first, even when the snapshot has no such surface. */
  metric: string;
}

/** The metrics to list: the shown one, then every other known surface the reading has. */
function listed({ reading, metric }: ReadoutInput): string[] {
  return [metric, ...READOUT_METRICS.filter((m) => m !== metric && reading.values[m] !== undefined)];
}

/**
 * The hover box: the coordinates, then one line per surface.
 *
 * @example hoverReadout({ axes: [{ label: "x" }, { label: "y" }], reading, metric: "train_loss" })
 * // "x 0.1   y -0.2\ntrain loss 0.4321\ntest loss 0.5"
 */
export function hoverReadout(input: ReadoutInput): string {
  const { axes, reading } = input;
  const where =
    axes.length > 1
      ? `${axes[0].label} ${formatValue(reading.x, 3)}   ${axes[1].label} ${formatValue(reading.y, 3)}`
      : `${axes[0]?.label ?? "x"} ${formatValue(reading.x, 3)}`;
  const lines = listed(input).map((m) => `${metricTitle(m)} ${formatValue(reading.values[m], 4)}`);
  return `${where}\n${lines.join("\n")}`;
}

/** A value as spoken: "no value" for NaN (a hole or a point not computed yet). */
function spoken(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? "no value" : formatValue(v, 4);
}

/**
 * One sentence for screen readers: the coordinates, then each surface's value, with an optional
 * prefix ("Picked", "Edge of the grid").
 *
 * @example announceReadout({ axes: [{ label: "x" }, { label: "y" }], reading, metric: "train_loss" }, "Picked")
 * // "Picked x 0.1, y -0.2: train loss 0.4321, test loss 0.5"
 */
export function announceReadout(input: ReadoutInput, prefix = ""): string {
  const { axes, reading } = input;
  const where =
    axes.length > 1
      ? `${axes[0].label} ${formatValue(reading.x, 3)}, ${axes[1].label} ${formatValue(reading.y, 3)}`
      : `${axes[0]?.label ?? "x"} ${formatValue(reading.x, 3)}`;
  const values = listed(input).map((m) => `${metricTitle(m)} ${spoken(reading.values[m])}`);
  return `${prefix ? `${prefix} ` : ""}${where}: ${values.join(", ")}`;
}
