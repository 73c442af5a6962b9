/**
 * What the dots on the 3D surface are: the trained point (white), the best grid point of the
 * shown metric (pink: the lowest loss or the highest accuracy) and, with a PCA plane, the training
 * trajectory (orange). A DOM overlay in a corner of the view, in the markers' own colours.
 *
 * @example <MarkerLegend metric="train_loss" trajectory={false} />
 */
import { higherIsBetter, MARKER_COLORS } from "./markers";

export function MarkerLegend({ metric, trajectory }: { metric: string; trajectory: boolean }) {
  const best = higherIsBetter(metric) ? "highest accuracy on the grid" : "lowest loss on the grid";
  return (
    <ul className="scene-marker-legend" data-testid="marker-legend" aria-label="Markers">
      <li>
        <span className="scene-marker-dot" style={{ background: MARKER_COLORS.trained }} />
        trained point
      </li>
      <li>
        <span className="scene-marker-dot" style={{ background: MARKER_COLORS.optimum }} />
        {best}
      </li>
      {trajectory && (
        <li>
          <span className="scene-marker-line" style={{ background: MARKER_COLORS.trajectory }} />
          training path
        </li>
      )}
    </ul>
  );
}
