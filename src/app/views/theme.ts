/**
 * Colours and fonts of the views on the app's dark panels; the same values as the CSS variables
 * in app.css (--text, --muted, --panel, --border, --accent), which canvases cannot read cheaply.
 */
export const THEME = {
  text: "#e6e9ee",
  muted: "#9aa4b2",
  panel: "#171b21",
  border: "#2a313b",
  grid: "rgba(154, 164, 178, 0.14)",
  accent: "#66c2ff",
  warn: "#f2c14e",
} as const;

export const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const LABEL_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Line colours: train and test, and the two centre slices. */
export const SERIES_COLORS = {
  train: "#66c2ff",
  test: "#f28e2b",
  alongX: "#66c2ff",
  alongY: "#e15759",
} as const;
