/**
 * The data plot of a graph run (model kind "gcn", data.graph): the graph in a seeded force layout
 * (core/surface/graph-layout.ts), each node filled with the class the model predicts for it
 * (core/model/gcn-predict.ts, plain JavaScript on the main thread: well under a millisecond per
 * layer for these graphs) and ringed with its true class when it is a training or test node.
 * The predictions are taken where the plot says: at the picked grid point theta + x d_x + y d_y,
 * else at the trained point theta. Painting is pure canvas work.
 */
import { useMemo } from "react";
import type { GcnArchitecture } from "../../core/model/gcn-architecture";
import { gcnPredictions } from "../../core/model/gcn-predict";
import type { Snapshot } from "../../core/snapshot/schema";
import { forceLayout } from "../../core/surface/graph-layout";
import { useAppStore } from "../../state/store";
import { classColor } from "./palette";

export interface GraphPicture {
  nodes: number;
  edges: readonly (readonly [number, number])[];
  /** [nodes * 2]: x, y in [-1, 1]. */
  positions: Float64Array;
  /** The predicted class of every node (-1: not finite). */
  predicted: Int32Array;
  /** True class of the training and test nodes, by node id. */
  train: Map<number, number>;
  test: Map<number, number>;
  classes: number;
  /** Where the predictions were taken, in words. */
  where: string;
}

function labelsOf(
  split: { x: Float32Array; y: Float32Array; count: number } | undefined,
): Map<number, number> {
  const out = new Map<number, number>();
  if (split) for (let i = 0; i < split.count; i++) out.set(split.x[i], split.y[i]);
  return out;
}

/** theta + x d_x (+ y d_y): the parameters at a grid point of the snapshot's plane. */
function pointParameters(s: Snapshot, x: number, y: number): Float32Array {
  const theta = s.model.parameters;
  const out = Float32Array.from(theta);
  const [dx, dy] = s.directions;
  for (let k = 0; k < out.length; k++) out[k] += x * (dx?.values[k] ?? 0) + y * (dy?.values[k] ?? 0);
  return out;
}

/** The graph picture of the current landscape, or null when it is not a graph run. */
export function useGraphPicture(): GraphPicture | null {
  const snapshot = useAppStore((s) => s.landscape?.snapshot ?? null);
  const picked = useAppStore((s) => s.picked);
  const arch =
    snapshot?.model.architecture.kind === "gcn" ? (snapshot.model.architecture as GcnArchitecture) : null;
  const positions = useMemo(() => (arch ? forceLayout(arch.graph.nodes, arch.graph.edges, 1) : null), [arch]);
  return useMemo(() => {
    if (!snapshot || !arch || !positions) return null;
    const at = picked ? pointParameters(snapshot, picked.x, picked.y) : snapshot.model.parameters;
    return {
      nodes: arch.graph.nodes,
      edges: arch.graph.edges,
      positions,
      predicted: gcnPredictions(arch, at),
      train: labelsOf(snapshot.data.train),
      test: labelsOf(snapshot.data.test),
      classes: arch.outputSize,
      where: picked ? "at the picked point" : "at the trained point",
    };
  }, [snapshot, arch, positions, picked]);
}

/** Paint the graph into a square in the middle of the canvas. */
export function paintGraph(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  g: GraphPicture,
): void {
  const pad = 14;
  const side = Math.max(0, Math.min(width, height) - 2 * pad);
  if (side < 8) return;
  const left = (width - side) / 2;
  const top = (height - side) / 2;
  ctx.fillStyle = "#12161b";
  ctx.fillRect(0, 0, width, height);
  const px = (i: number) => left + ((g.positions[2 * i] + 1) / 2) * side;
  const py = (i: number) => top + ((1 - g.positions[2 * i + 1]) / 2) * side;
  ctx.beginPath();
  for (const [i, j] of g.edges) {
    ctx.moveTo(px(i), py(i));
    ctx.lineTo(px(j), py(j));
  }
  ctx.strokeStyle = "rgba(200, 209, 220, 0.22)";
  ctx.lineWidth = 1;
  ctx.stroke();
  const r = Math.max(2.5, Math.min(7, side / (2.2 * Math.sqrt(g.nodes) + 8)));
  for (let i = 0; i < g.nodes; i++) {
    const truth = g.train.get(i) ?? g.test.get(i);
    const isTrain = g.train.has(i);
    const x = px(i);
    const y = py(i);
    ctx.beginPath();
    if (isTrain) ctx.rect(x - r, y - r, 2 * r, 2 * r);
    else ctx.arc(x, y, r, 0, 2 * Math.PI);
    const p = g.predicted[i];
    ctx.fillStyle = p >= 0 ? classColor(p) : "#555";
    ctx.fill();
    if (truth !== undefined) {
      ctx.strokeStyle = "rgba(0, 0, 0, 0.7)";
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.strokeStyle = classColor(truth);
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}
