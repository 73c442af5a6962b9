import { useAppStore } from "../state/store";
import { anyUnconverged, curvatureRows, curvatureSource } from "./curvature-summary";

/**
 * Read-only figures of the landscape's curvature section (a snapshot exported with a curvature
 * report, e.g. `landscape curvature`): nothing when the snapshot has none.
 */
export function CurvatureSummary() {
  const curvature = useAppStore((s) => s.landscape?.snapshot.curvature);
  if (!curvature) return null;
  const rows = curvatureRows(curvature);
  return (
    <section className="side-section curvature-section" data-testid="curvature-summary">
      <h2>
        Curvature at θ{" "}
        <span
          className="muted"
          title="the snapshot's curvature report: the training loss these figures describe"
        >
          on {curvatureSource(curvature)}
        </span>
      </h2>
      <table className="trajectory-table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} title={r.help}>
              <th scope="row" style={{ textAlign: "left", whiteSpace: "nowrap" }}>
                {r.label}
              </th>
              <td>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {anyUnconverged(curvature) && (
        <p className="muted small">* stopped at the iteration cap before reaching its tolerance</p>
      )}
    </section>
  );
}
