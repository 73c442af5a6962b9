import { coordToIndex, sampleBilinear } from "../scene/geometry";
import { useAppStore } from "../state/store";

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : "–";
}

/**
 * The optimizer's checkpoints on the PCA plane: the true training loss of each checkpoint beside
 * the surface height under its projection. They differ because a checkpoint lies off the plane
 * (the two PCA directions explain only part of the path), which is exactly what the explained
 * variance measures.
 */
export function TrajectoryTable() {
  const landscape = useAppStore((s) => s.landscape);
  useAppStore((s) => s.landscapeVersion);
  const t = landscape?.trajectory;
  const surface = landscape?.snapshot.surfaces.train_loss;
  if (!t || !landscape || !surface) return null;
  const [ax, ay] = landscape.snapshot.grid.axes;
  const rows = t.epochs.map((epoch, i) => {
    const x = t.coords[2 * i];
    const y = t.coords[2 * i + 1];
    const under = sampleBilinear(surface, ax.count, ay.count, coordToIndex(ax, x), coordToIndex(ay, y));
    return { epoch, x, y, loss: t.loss[i], under };
  });
  const explained = (t.explained[0] + t.explained[1]) * 100;
  return (
    <section className="side-section trajectory-section" data-testid="trajectory-table">
      <h2>
        Trajectory on the PCA plane{" "}
        <span className="muted">
          PC1 {(t.explained[0] * 100).toFixed(1)}% + PC2 {(t.explained[1] * 100).toFixed(1)}% ={" "}
          {explained.toFixed(1)}% of the path's variance
        </span>
      </h2>
      <table className="trajectory-table">
        <thead>
          <tr>
            <th>epoch</th>
            <th>true loss</th>
            <th>surface under it</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.epoch}>
              <td>{r.epoch}</td>
              <td>{fmt(r.loss)}</td>
              <td>{fmt(r.under)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        A checkpoint lies off the plane unless the two directions explain all of the path, so its true loss
        and the surface height under its projection differ; the last checkpoint is the centre, where they
        agree.
      </p>
    </section>
  );
}
