/**
 * The key of the path overlay (PathOverlay in 3D, the contour view's painter): straight line,
 * curve, theta1, theta2, bend and, while the paths panel shows one, w(t). DOM, so the same
 * component serves both views.
 *
 * @example <PathLegend probe testId="path-legend" />
 */
import { PATH_COLORS, PATH_LEGEND } from "./path-lines";
import "./path-overlay.css";

export function PathLegend({
  probe = false,
  className,
  testId,
}: {
  /** Include the w(t) entry. */
  probe?: boolean;
  className?: string;
  testId?: string;
}) {
  const entries = PATH_LEGEND.filter((e) => probe || e.key !== "probe");
  return (
    <ul className={`path-legend${className ? ` ${className}` : ""}`} data-testid={testId} aria-label="paths">
      {entries.map((e) => (
        <li key={e.key} className="path-legend-entry">
          <span
            className={e.shape === "line" ? `path-legend-line ${e.key}` : "path-legend-dot"}
            style={
              e.shape === "line" ? { borderTopColor: PATH_COLORS[e.key] } : { background: PATH_COLORS[e.key] }
            }
          />
          {e.label}
        </li>
      ))}
    </ul>
  );
}
