/**
 * Scatter plot of the dataset on a canvas: 2-D classification points in class colours (train
 * filled, test hollow) over an optional decision-boundary image, or 1-D regression points with
 * the model's curve. The axes show dataBounds(data, DATA_MARGIN), the same box the worker
 * evaluates the boundary on. A graph run (a GCN, whose samples are node ids) draws its graph
 * instead, nodes coloured by the model's prediction (graph-picture.ts).
 */
import { type CSSProperties, useCallback, useEffect, useRef } from "react";
import type { PlotData } from "../../core/surface/plot-data";
import {
  type BoundaryImage,
  type BoundaryLayer,
  paintData,
  prepareBoundary,
  type RegressionCurve,
} from "./data-paint";
import { type GraphPicture, paintGraph } from "./graph-picture";
import { classColor } from "./palette";
import { useCanvas } from "./useCanvas";
import "./views.css";

export type { PlotData } from "../../core/surface/plot-data";
export type { BoundaryImage, RegressionCurve } from "./data-paint";

interface DataPlotProps {
  /** The snapshot's dataset (Snapshot["data"] fits), or null before there is one. */
  data: PlotData | null;
  /** Class probabilities over the data box (classification). */
  boundary?: BoundaryImage | null;
  /** The model's output along x (1-D regression). */
  curve?: RegressionCurve | null;
  /** Bump when boundary or curve arrays were updated in place. */
  version?: number;
  testId?: string;
  /** Fixed square size in CSS pixels; without it the plot fills its container. */
  size?: number;
  /** A graph run's picture (useGraphPicture): drawn instead of the scatter plot. */
  graph?: GraphPicture | null;
}

/** @example <DataPlot data={snapshot.data} boundary={boundary} version={v} /> */
export function DataPlot({ data, boundary, curve, version = 0, testId, size, graph }: DataPlotProps) {
  const style = size ? { width: size, height: size } : undefined;
  if (data && graph) return <GraphPlot graph={graph} testId={testId} style={style} />;
  let message: string | null = null;
  if (!data) message = "No data yet.";
  // Node ids on an axis would be a picture of nothing: the graph needs its model (a GCN) to draw.
  else if ((data as { graph?: unknown }).graph !== undefined)
    message = "These samples are nodes of a graph; the graph is drawn from a GCN's snapshot.";
  else if (data.train.count === 0 && (data.test?.count ?? 0) === 0) message = "The dataset is empty.";
  // A scatter of two of many inputs (the corner pixels of an image) says nothing.
  else if (data.inputSize > MAX_SCATTER_INPUTS)
    message = `Each sample has ${data.inputSize} inputs (an image): no picture in two dimensions. The training charts show how well the model fits the data.`;
  return (
    <div className="vw-panel" data-testid={testId} style={style}>
      <div className="vw-header">
        <span className="vw-title">data</span>
        {/* A legend only over a plot it describes. */}
        {data && message === null && <DataLegend data={data} curve={Boolean(curve)} />}
      </div>
      {message !== null || !data ? (
        <p className="vw-message">{message}</p>
      ) : (
        <DataCanvas data={data} boundary={boundary ?? null} curve={curve ?? undefined} version={version} />
      )}
    </div>
  );
}

/** The graph of a GCN run: nodes filled with their predicted class, ringed with their true one. */
function GraphPlot({
  graph,
  testId,
  style,
}: {
  graph: GraphPicture;
  testId?: string;
  style?: CSSProperties;
}) {
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, width: number, height: number) => paintGraph(ctx, width, height, graph),
    [graph],
  );
  const { containerRef, canvasRef } = useCanvas(draw);
  const classes = Math.min(Math.max(1, graph.classes), 10);
  return (
    <div className="vw-panel" data-testid={testId} style={style}>
      <div className="vw-header">
        <span className="vw-title">graph</span>
        <span className="vw-legend">
          {Array.from({ length: classes }, (_, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: classes are indices
            <span key={k} className="vw-legend-item">
              <span className="vw-swatch" style={{ background: classColor(k) }} />
              {`class ${k}`}
            </span>
          ))}
          <span className="vw-legend-item">{`fill: predicted ${graph.where}`}</span>
          <span className="vw-legend-item">ring: true class</span>
          <span className="vw-legend-item">square: train node</span>
        </span>
      </div>
      <div className="vw-canvas-wrap" ref={containerRef}>
        <canvas
          ref={canvasRef}
          className="vw-canvas"
          role="img"
          aria-label={`graph of ${graph.nodes} nodes and ${graph.edges.length} edges, coloured by the model's prediction ${graph.where}`}
        />
      </div>
    </div>
  );
}

/** Beyond this many inputs the first two make no useful scatter plot. */
const MAX_SCATTER_INPUTS = 8;

function DataLegend({ data, curve }: { data: PlotData; curve: boolean }) {
  const classes = data.task === "classification" ? Math.max(1, data.classes ?? 1) : 0;
  return (
    <span className="vw-legend">
      {Array.from({ length: Math.min(classes, 10) }, (_, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: classes are indices
        <span key={k} className="vw-legend-item">
          <span className="vw-swatch" style={{ background: classColor(k) }} />
          {`class ${k}`}
        </span>
      ))}
      <span className="vw-legend-item">
        <span className="vw-dot vw-dot-filled" /> train
      </span>
      {data.test && (
        <span className="vw-legend-item">
          <span className="vw-dot" /> test
        </span>
      )}
      {data.task === "regression" && curve && (
        <span className="vw-legend-item">
          <span className="vw-line" /> model
        </span>
      )}
      {data.inputSize > 2 && <span className="vw-legend-item">{`first 2 of ${data.inputSize} inputs`}</span>}
    </span>
  );
}

interface DataCanvasProps {
  data: PlotData;
  boundary: BoundaryImage | null;
  curve?: RegressionCurve;
  version: number;
}

function DataCanvas({ data, boundary, curve, version }: DataCanvasProps) {
  const layer = useRef<BoundaryLayer | null>(null);
  // The boundary's image (10-30 ms of main-thread time on a busy machine) is made in a task of
  // its own when the boundary arrives, neither in the task that delivers it nor in the animation
  // frame that paints it, which also draws the 3D view of a growing landscape; the painter below
  // then finds it ready (prepareBoundary keeps the layer of the same arrays), or makes it itself.
  useEffect(() => {
    if (!boundary || data.task !== "classification") return;
    const timer = setTimeout(() => {
      layer.current = prepareBoundary(boundary, version, layer.current);
    }, 0);
    return () => clearTimeout(timer);
  }, [boundary, version, data.task]);
  const draw = useCallback(
    (ctx: CanvasRenderingContext2D, width: number, height: number) => {
      layer.current =
        boundary && data.task === "classification" ? prepareBoundary(boundary, version, layer.current) : null;
      paintData(ctx, width, height, data, boundary, layer.current, curve);
    },
    [data, boundary, curve, version],
  );
  const { containerRef, canvasRef } = useCanvas(draw);
  return (
    <div className="vw-canvas-wrap" ref={containerRef}>
      <canvas ref={canvasRef} className="vw-canvas" role="img" aria-label={`${data.task} data`} />
    </div>
  );
}
