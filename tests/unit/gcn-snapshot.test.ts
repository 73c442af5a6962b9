/**
 * A graph run's snapshot: the GCN's architecture carries its graph, data.graph says that x holds
 * node ids; it round-trips exactly in both array encodings, recomputes the same numbers after the
 * round trip, and a snapshot whose graph is bad is refused with the reason.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { embeddingCollapse } from "../../src/core/lessons/embedding-collapse";
import { flatToTensors } from "../../src/core/model/flat";
import { modelForward } from "../../src/core/model/forward";
import type { GcnArchitecture } from "../../src/core/model/gcn-architecture";
import { fillContractFields } from "../../src/core/snapshot/contract-fields";
import { parseSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

async function graphSnapshot(): Promise<Snapshot> {
  const config = resolveConfig({
    seed: 2,
    data: { name: "karate", trainCount: 6 },
    model: { kind: "gcn", hiddenSizes: [4] },
    training: { optimizer: "adam", learningRate: 0.05, batchSize: "full", epochs: 5, checkpointEvery: 0 },
    grid: { x: { count: 3 }, y: { count: 3 } },
  });
  const before = tf.memory().numTensors;
  const { snapshot } = await runExperiment(config, {
    backend: "wasm",
    now: () => new Date("2026-01-01T00:00:00Z"),
  });
  expect(tf.memory().numTensors).toBe(before);
  return snapshot;
}

// biome-ignore lint/suspicious/noExplicitAny: a test breaks arbitrary fields of the wire form
type Wire = any;

/** The snapshot as JSON with one change made by `edit`. */
function edited(s: Snapshot, edit: (json: Wire) => void): string {
  const json = JSON.parse(snapshotToJsonText(s, { arrays: "plain" }));
  edit(json);
  return JSON.stringify(json);
}

describe("a graph run's snapshot", () => {
  it("holds the GCN with its graph and node ids as the data, and round-trips exactly", async () => {
    const s = await graphSnapshot();
    const arch = s.model.architecture as GcnArchitecture;
    expect(arch.kind).toBe("gcn");
    expect(arch.graph.nodes).toBe(34);
    expect(arch.graph.edges).toHaveLength(78);
    expect(arch.semantics).toMatch(/A_hat = D\^-1\/2 \(A \+ I\) D\^-1\/2/);
    expect(s.data).toMatchObject({
      name: "karate",
      task: "classification",
      inputSize: 1,
      classes: 2,
      graph: { nodes: 34 },
    });
    expect(s.producer.evaluator).toBe("naive");
    expect(s.producer.training).toBe("tfjs");
    for (const arrays of ["base64", "plain"] as const) {
      const back = parseSnapshot(snapshotToJsonText(s, { arrays }));
      expect(back).toEqual(s);
    }
    expect(summarizeSnapshot(s)).toMatch(/GCN 34-4-2 relu on 34 nodes, 78 edges/);
  });

  it("gives the same numbers after the round trip (the surface's centre, the embeddings)", async () => {
    const s = await graphSnapshot();
    const back = parseSnapshot(snapshotToJsonText(s, { arrays: "plain" }));
    const loss = (x: Snapshot) =>
      tf.tidy(() => {
        const out = modelForward(
          x.model.architecture,
          flatToTensors(x.model.parameters, x.model.layout),
          tf.tensor2d(x.data.train.x, [x.data.train.count, 1]),
        );
        const labels = tf.oneHot(tf.tensor1d(Array.from(x.data.train.y), "int32"), 2).toFloat();
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(out), labels), -1))).dataSync()[0];
      });
    expect(loss(back)).toBeCloseTo(s.surfaces.train_loss?.[4] as number, 5);
    expect(embeddingCollapse(back)).toEqual(embeddingCollapse(s));
  });

  it("derives data.graph from a GCN's architecture when a writer left it out", async () => {
    const s = await graphSnapshot();
    const text = edited(s, (json) => {
      delete json.data.graph;
    });
    const { derived } = fillContractFields(JSON.parse(text));
    expect(derived).toContain(
      "data.graph: { nodes: 34 } (from model.architecture.graph: a GCN's samples are node ids)",
    );
    expect(parseSnapshot(text).data.graph).toEqual({ nodes: 34 });
  });

  it("refuses a snapshot whose graph is bad, with the reason", async () => {
    const s = await graphSnapshot();
    const bad = (edit: (json: Wire) => void) => () => parseSnapshot(edited(s, edit));
    expect(
      bad((json) => {
        json.model.architecture.graph.edges.push([5, 5]);
      }),
    ).toThrow(/model\.architecture\.graph\.edges\[78\]: a self-loop on node 5; leave self-loops out/);
    expect(
      bad((json) => {
        json.model.architecture.graph.edges[3] = [0, 40];
      }),
    ).toThrow(
      /model\.architecture\.graph\.edges\[3\]: node 40 does not exist \(the graph has 34 nodes, ids 0 to 33\)/,
    );
    expect(
      bad((json) => {
        json.model.architecture.graph.edges.push([1, 0]);
      }),
    ).toThrow(/edges\[78\]: duplicate of model\.architecture\.graph\.edges\[0\]/);
    expect(
      bad((json) => {
        json.model.architecture.graph.features.pop();
      }),
    ).toThrow(/model\.architecture\.graph\.features: expected 1156 values/);
    expect(
      bad((json) => {
        json.data.train.x[0] = 34;
      }),
    ).toThrow(/data\.train\.x\[0\]: 34 is not a node id of the model's graph \(integers 0 to 33\)/);
    expect(
      bad((json) => {
        json.data.graph.nodes = 30;
      }),
    ).toThrow(/data\.graph\.nodes: 30, but the model's graph has 34 nodes/);
    expect(
      bad((json) => {
        delete json.model.architecture.graph;
      }),
    ).toThrow(/model\.architecture\.graph/);
  });
});
