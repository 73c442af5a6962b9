import { useId } from "react";
import type { Lab } from "../compute/lab";
import { type AppState, useAppStore } from "../state/store";
import { CurvatureSummary } from "./CurvatureSummary";
import { PathsPanel } from "./PathsPanel";
import { TrainingControls } from "./TrainingControls";
import { TrajectoryTable } from "./TrajectoryTable";
import { DataPlot } from "./views/DataPlot";
import { useGraphPicture } from "./views/graph-picture";
import { pathLabel } from "./views/path-chart";
import { SharpnessChart, TrainingCharts } from "./views/TrainingCharts";

/** "at w(0.50) on the straight line" while the paths panel's t slider shows a point, else null. */
function probeNote(s: AppState): string | null {
  const probe = s.landscape?.pathProbe;
  const path = probe ? s.landscape?.snapshot.paths?.paths[probe.path] : undefined;
  return probe && path ? `at w(${probe.t.toFixed(2)}) on the ${pathLabel(path)}` : null;
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : Number(v.toPrecision(4)).toString();
}

/** The data with the model's decision boundary (or curve), the picked point, and the training curves. */
export function SidePanel({ lab }: { lab: Lab | null }) {
  const data = useAppStore((s) => s.landscape?.snapshot.data ?? null);
  const boundary = useAppStore((s) => s.boundary);
  const picked = useAppStore((s) => s.picked);
  const onPath = useAppStore(probeNote);
  const history = useAppStore((s) => s.history);
  const historyVersion = useAppStore((s) => s.historyVersion);
  const sync = useId();
  const curve = boundary?.kind === "curve" ? boundary.curve : undefined;
  const graph = useGraphPicture();
  return (
    <aside className="side-panel" aria-label="Model and training">
      <section className="side-section data-section">
        <h2>
          Model on its data{" "}
          <span className="muted" data-testid="picked">
            {picked
              ? `at (${fmt(picked.x)}, ${fmt(picked.y)}): loss ${fmt(picked.values.train_loss)}`
              : (onPath ?? "at the trained point (click the surface to inspect another)")}
          </span>
        </h2>
        <DataPlot
          data={data}
          boundary={boundary?.kind === "classes" ? boundary : undefined}
          curve={curve}
          graph={graph}
          testId="data-plot"
        />
      </section>
      <PathsPanel lab={lab} />
      <TrajectoryTable />
      <CurvatureSummary />
      <TrainingControls lab={lab} />
      <section className="side-section training-section">
        <TrainingCharts history={history} version={historyVersion} sync={sync} testId="training-charts" />
      </section>
      {history.lambdaMax.length > 0 && (
        <section className="side-section training-section">
          <SharpnessChart history={history} version={historyVersion} sync={sync} testId="sharpness-chart" />
        </section>
      )}
    </aside>
  );
}
