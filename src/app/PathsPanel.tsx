/**
 * Paths between minima, for a landscape with a `paths` section: what the preset shows (in plain
 * words, with the papers), the loss (or error) along every path against t, the barrier table
 * (both definitions, loss and error), and a t slider over the straight line, the curve or the
 * aligned line that marks w(t) on the plane and draws the network at w(t) in the data plot.
 * Reads the store; the lab computes (w(t) is a weighted sum of stored points; the decision
 * boundary comes from a worker).
 */
import { type ChangeEvent, useCallback, useId, useMemo, useRef, useState } from "react";
import type uPlot from "uplot";
import type { Lab } from "../compute/lab";
import type { PathsSection, SectionBarrier, SectionPathKind } from "../core/snapshot/paths-section";
import { PATH_COLORS } from "../scene/path-lines";
import { metricAt, pathTRange, probeChoices } from "../state/path-probe";
import { useAppStore } from "../state/store";
import { presetStory } from "./presets";
import {
  barrierRows,
  type PathChartMetric,
  type PathSplit,
  pathChartData,
  pathLabel,
} from "./views/path-chart";
import { axisNumber, bottomAxis, lineSeries, valueAxis } from "./views/uplot-theme";
import { type ChartOptions, useUplot } from "./views/useUplot";
import "./paths-panel.css";

const GENERIC_TEXT =
  "The straight line between two trained networks, the line from \u03b81's initialization, a curve trained to " +
  "connect them and, after weight matching, the straight line to the permuted \u03b82. The landscape is the " +
  "plane through \u03b81, \u03b82 and the curve's bend.";

/** Stable keys for snapshots, so the panel's local state resets with a new run. */
const keys = new WeakMap<object, number>();
let nextKey = 1;
function keyOf(o: object): number {
  let k = keys.get(o);
  if (k === undefined) {
    k = nextKey++;
    keys.set(o, k);
  }
  return k;
}

/** @example <PathsPanel lab={lab} /> (renders nothing unless the landscape has a `paths` section) */
export function PathsPanel({ lab }: { lab: Lab | null }) {
  const snapshot = useAppStore((s) => s.landscape?.snapshot ?? null);
  const preset = useAppStore((s) => s.landscape?.preset);
  const section = snapshot?.paths;
  if (!snapshot || !section || section.paths.length === 0) return null;
  return <PathsBody key={keyOf(snapshot)} lab={lab} section={section} preset={preset} />;
}

function PathsBody({ lab, section, preset }: { lab: Lab | null; section: PathsSection; preset?: string }) {
  // A paths preset (or the paths lesson of the same id) tells its story (presets.json).
  const text = presetStory(preset);
  const [metric, setMetric] = useState<PathChartMetric>("loss");
  const [extended, setExtended] = useState(false);
  const [split, setSplit] = useState<PathSplit>("train");
  const probe = useAppStore((s) => s.landscape?.pathProbe ?? null);
  const ids = useId();
  return (
    <section
      className="side-section paths-section"
      data-testid="paths-panel"
      aria-label="Paths between minima"
    >
      <h2>{text ? `Paths between minima: ${text.title.toLowerCase()}` : "Paths between minima"}</h2>
      {/* Right below the data plot, so the boundary at w(t) stays in view while sliding. */}
      <PathSlider lab={lab} section={section} initial={text?.probe} />
      <div className="paths-controls">
        <label htmlFor={`${ids}-metric`}>
          show{" "}
          <select
            id={`${ids}-metric`}
            data-testid="path-metric"
            value={metric}
            onChange={(e) => setMetric(e.currentTarget.value as PathChartMetric)}
          >
            <option value="loss">loss</option>
            <option value="error">error (1 − accuracy)</option>
          </select>
        </label>
        <label htmlFor={`${ids}-ext`}>
          <input
            id={`${ids}-ext`}
            type="checkbox"
            checked={extended}
            onChange={(e) => setExtended(e.currentTarget.checked)}
          />{" "}
          lines beyond θ1, θ2
        </label>
      </div>
      <PathChart section={section} metric={metric} extended={extended} probeT={probe?.t ?? null} />
      <BarrierTable section={section} split={split} onSplit={setSplit} />
      <div className="paths-text">
        {text ? (
          <>
            <p>{text.claim}</p>
            <p>
              <strong>What to look at: </strong>
              {text.look}
            </p>
          </>
        ) : (
          <p>{GENERIC_TEXT}</p>
        )}
      </div>
    </section>
  );
}

/** A vertical line at the slider's t. */
function probeLine(getT: () => number | null): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const t = getT();
          if (t === null) return;
          const x = u.valToPos(t, "x", true);
          const { left, top, width, height } = u.bbox;
          if (!(x >= left && x <= left + width)) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = PATH_COLORS.probe;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.restore();
        },
      ],
    },
  };
}

function PathChart(props: {
  section: PathsSection;
  metric: PathChartMetric;
  extended: boolean;
  probeT: number | null;
}) {
  const { section, metric, extended, probeT } = props;
  const data = useMemo(
    () => pathChartData(section, metric, extended ? null : [0, 1]),
    [section, metric, extended],
  );
  const probeRef = useRef(probeT);
  probeRef.current = probeT;
  const structure = data.series.map((s) => `${s.label}|${s.color}`).join(";");
  // biome-ignore lint/correctness/useExhaustiveDependencies: `structure` names the series the options depend on
  const makeOptions = useCallback(
    (): ChartOptions => ({
      scales: { x: { time: false }, y: {} },
      axes: [bottomAxis("t (\u03b1 on straight lines)"), valueAxis("y", metric, false)],
      series: [
        { label: "t", value: (_u, v) => axisNumber(v) },
        ...data.series.map((s) =>
          lineSeries(s.label, s.color, "y", {
            spanGaps: true,
            width: s.split === "test" ? 1.25 : 2,
            dash: s.split === "test" ? [5, 4] : undefined,
          }),
        ),
      ],
      legend: { show: false },
      plugins: [probeLine(() => probeRef.current)],
    }),
    [structure, metric],
  );
  const makeData = useCallback(
    (): uPlot.AlignedData => [data.x, ...data.columns] as uPlot.AlignedData,
    [data],
  );
  // The probe's t only moves the vertical line: a redraw through setData.
  const version = probeT === null ? -1 : Math.round(probeT * 1e6);
  const ref = useUplot(makeOptions, makeData, version);
  const kinds = new Map<string, string>();
  for (const s of data.series) kinds.set(pathLabel(section.paths[s.path]), s.color);
  return (
    <div className="paths-chart-wrap">
      <div className="vw-chart paths-chart" ref={ref} data-testid="path-chart" />
      <ul className="paths-chart-key">
        {[...kinds].map(([label, color]) => (
          <li key={label}>
            <span className="paths-key-line" style={{ borderTopColor: color }} />
            {label}
          </li>
        ))}
        <li className="muted">solid train, dashed test</li>
      </ul>
    </div>
  );
}

function fig(v: number | null | undefined, percent: boolean): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "\u2013";
  if (percent) return `${(100 * v).toFixed(1)}%`;
  return axisNumber(v);
}

const DEFINITIONS = [
  {
    key: "linearExcess",
    title: "max over t in [0, 1] of the metric minus the straight interpolation of its end values",
    label: "vs line",
  },
  {
    key: "midpointMean",
    title: "max over t in [0, 1] of the metric minus the mean of its end values",
    label: "vs mean",
  },
] as const;

function BarrierTable(props: { section: PathsSection; split: PathSplit; onSplit(s: PathSplit): void }) {
  const { section, split, onSplit } = props;
  const rows = barrierRows(section, split);
  const cell = (b: SectionBarrier | null, metric: "loss" | "error", def: (typeof DEFINITIONS)[number]) => {
    const v = b?.[def.key] ?? null;
    return (
      <td
        key={`${metric}-${def.key}`}
        data-metric={`${split}_${metric}`}
        data-def={def.key}
        data-value={v === null ? "" : String(v)}
      >
        {fig(v, metric === "error")}
      </td>
    );
  };
  return (
    <div className="paths-barriers">
      <div className="paths-barriers-head">
        <span>barriers</span>
        <span className="paths-split">
          {(["train", "test"] as const).map((s) => (
            <button
              key={s}
              type="button"
              aria-pressed={split === s}
              className={split === s ? "active" : ""}
              data-testid={`path-split-${s}`}
              onClick={() => onSplit(s)}
            >
              {s}
            </button>
          ))}
        </span>
      </div>
      <table className="paths-table" data-testid="path-barriers" data-split={split}>
        <thead>
          <tr>
            <th rowSpan={2}>path</th>
            <th colSpan={2}>{split} loss</th>
            <th colSpan={2}>{split} error</th>
          </tr>
          <tr>
            {[0, 1].flatMap((k) =>
              DEFINITIONS.map((d) => (
                <th key={`${k}-${d.key}`} title={d.title}>
                  {d.label}
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.path} data-kind={r.kind} data-path={r.path}>
              <th scope="row">
                <span className="paths-key-line" style={{ borderTopColor: r.color }} />
                {r.label}
              </th>
              {DEFINITIONS.map((d) => cell(r.loss, "loss", d))}
              {DEFINITIONS.map((d) => cell(r.error, "error", d))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Barrier: the highest point of the path above the straight interpolation of its two end values (vs
        line), or above their mean (vs mean); t in [0, 1].
      </p>
    </div>
  );
}

const STEPS = 200;

function PathSlider(props: { lab: Lab | null; section: PathsSection; initial?: SectionPathKind }) {
  const { lab, section, initial } = props;
  const choices = useMemo(() => probeChoices(section.paths), [section]);
  const [choice, setChoice] = useState(() =>
    Math.max(
      0,
      choices.findIndex((c) => c.kind === initial),
    ),
  );
  const [t, setT] = useState(0);
  const probe = useAppStore((s) => s.landscape?.pathProbe ?? null);
  const ids = useId();
  const current = choices[Math.min(choice, choices.length - 1)];
  if (!current) return null;
  const path = section.paths[current.index];
  const [lo, hi] = pathTRange(path);
  const clamped = Math.min(hi, Math.max(lo, t));
  const go = (index: number, value: number) => {
    setT(value);
    void lab?.paths.probe(index, value);
  };
  const onSlide = (e: ChangeEvent<HTMLInputElement>) => go(current.index, Number(e.currentTarget.value));
  const onChoose = (e: ChangeEvent<HTMLSelectElement>) => {
    const k = Number(e.currentTarget.value);
    setChoice(k);
    const next = choices[k];
    if (!next) return;
    const [a, b] = pathTRange(section.paths[next.index]);
    go(next.index, Math.min(b, Math.max(a, t)));
  };
  const shown = probe && probe.path === current.index ? probe : null;
  const value = (name: string) => metricAt(path, name, clamped);
  const readout = [
    `train loss ${fig(value("train_loss"), false)}`,
    `test loss ${fig(value("test_loss"), false)}`,
    `train error ${fig(1 - value("train_accuracy"), true)}`,
  ];
  if (shown && shown.offPlane > 1e-3 * Math.max(1, Math.hypot(shown.x, shown.y)))
    readout.push(`${fig(shown.offPlane, false)} off the plane (marked at its projection)`);
  return (
    <div className="paths-probe">
      <div className="paths-probe-row">
        <label htmlFor={`${ids}-path`}>network at w(t) on the</label>
        <select id={`${ids}-path`} data-testid="path-choice" value={choice} onChange={onChoose}>
          {choices.map((c, k) => (
            <option key={c.index} value={k}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <div className="paths-probe-row">
        <label htmlFor={`${ids}-t`}>t</label>
        <input
          id={`${ids}-t`}
          type="range"
          data-testid="path-t"
          min={lo}
          max={hi}
          step={(hi - lo) / STEPS}
          value={clamped}
          onChange={onSlide}
        />
        <output htmlFor={`${ids}-t`} className="paths-t">
          {clamped.toFixed(2)}
        </output>
        <button
          type="button"
          className="paths-reset"
          disabled={!probe}
          onClick={() => {
            setT(0);
            void lab?.paths.clear();
          }}
          title="show θ1 again"
        >
          θ1
        </button>
      </div>
      <p className="muted small" data-testid="path-probe">
        {shown
          ? `w(${clamped.toFixed(2)}): ${readout.join(" · ")}`
          : "Move t to draw the network at w(t) in the data plot and mark it on the plane."}
      </p>
    </div>
  );
}
