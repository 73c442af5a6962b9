/**
 * Graphs and graph datasets (data/graph.ts, data/graph-datasets.ts): bad graphs are refused with
 * the reason, A_hat is Kipf and Welling's, the stochastic block model and the karate club are what
 * they say, and the config refuses a GCN without a graph and a graph without a GCN.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { checkGraph, dirichletEnergy, graphProblems, normalizedAdjacency } from "../../src/core/data/graph";
import { KARATE_EDGES } from "../../src/core/data/graph-datasets";
import { datasetShape, makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { fromExperimentConfig } from "../../src/state/config-map";

const features = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("bad graphs are refused with the reason", () => {
  it("an edge to a missing node", () => {
    expect(
      graphProblems({
        nodes: 3,
        edges: [
          [0, 1],
          [1, 3],
        ],
      }),
    ).toEqual(["edges[1]: node 3 does not exist (the graph has 3 nodes, ids 0 to 2)"]);
    expect(graphProblems({ nodes: 3, edges: [[-1, 0]] })[0]).toMatch(/node -1 does not exist/);
  });

  it("a self-loop, naming the convention: the GCN adds self-loops itself", () => {
    expect(
      graphProblems({
        nodes: 3,
        edges: [
          [0, 1],
          [2, 2],
        ],
      }),
    ).toEqual([
      "edges[1]: a self-loop on node 2; leave self-loops out: the GCN adds one to every node itself (A_hat = D^-1/2 (A + I) D^-1/2)",
    ]);
  });

  it("a duplicate edge, in either direction", () => {
    expect(
      graphProblems({
        nodes: 4,
        edges: [
          [0, 1],
          [2, 3],
          [0, 1],
        ],
      })[0],
    ).toMatch(/edges\[2\]: duplicate of edges\[0\]/);
    expect(
      graphProblems({
        nodes: 4,
        edges: [
          [0, 1],
          [1, 0],
        ],
      })[0],
    ).toMatch(
      /edges\[1\]: duplicate of edges\[0\] \(1-0; edges are undirected, so \[0, 1\] repeats \[1, 0\]\)/,
    );
  });

  it("non-integer ids and malformed edges", () => {
    expect(graphProblems({ nodes: 3, edges: [[0, 1.5]] })[0]).toBe(
      "edges[0]: node id 1.5 is not an integer (nodes are 0 to 2)",
    );
    expect(graphProblems({ nodes: 3, edges: [["0", 1]] })[0]).toMatch(/node id "0" is not an integer/);
    expect(graphProblems({ nodes: 3, edges: [[0, 1, 2]] })[0]).toMatch(/must be a pair \[i, j\]/);
    expect(graphProblems({ nodes: 3, edges: "0-1" })[0]).toMatch(/edges: must be an array/);
    expect(graphProblems({ nodes: 2.5, edges: [] })[0]).toMatch(
      /nodes: must be an integer in \[1, 1000\], got 2.5/,
    );
    expect(graphProblems({ nodes: 0, edges: [] })[0]).toMatch(/nodes: must be an integer/);
  });

  it("a node without a label, and labels outside the classes", () => {
    expect(graphProblems({ nodes: 3, edges: [[0, 1]], labels: [0, 1], classes: 2 })).toEqual([
      "labels[2]: node 2 has no label (every node needs a class index)",
    ]);
    expect(graphProblems({ nodes: 3, edges: [], labels: [0, null, Number.NaN], classes: 2 })).toHaveLength(2);
    expect(graphProblems({ nodes: 2, edges: [], labels: [0, 2], classes: 2 })).toEqual([
      "labels[1]: 2 is not a class index in [0, 2)",
    ]);
    expect(graphProblems({ nodes: 2, edges: [], labels: [0, 1.5] })[0]).toMatch(/1.5 is not a class index/);
  });

  it("features of the wrong length or not finite", () => {
    expect(graphProblems({ nodes: 3, edges: [], featureSize: 2, features: features(5) })).toEqual([
      "features: expected 6 values (nodes 3 x featureSize 2), got 5 values",
    ]);
    expect(graphProblems({ nodes: 2, edges: [], featureSize: 1, features: [0, Number.NaN] })[0]).toMatch(
      /features\[1\]: NaN is not a finite number \(node 1\)/,
    );
  });

  it("lists every problem at once (up to 8) and checkGraph throws them all", () => {
    const g = {
      nodes: 3,
      edges: [
        [0, 0],
        [1, 5],
        [0, 1],
        [1, 0],
      ],
    };
    expect(graphProblems(g)).toHaveLength(3);
    expect(() => checkGraph(g, "my graph")).toThrow(
      /my graph: not a usable graph \(3 problems\):\n {2}edges\[0\]: a self-loop/,
    );
    const many = { nodes: 2, edges: Array.from({ length: 20 }, () => [0, 0]) };
    expect(graphProblems(many)).toHaveLength(8);
  });

  it("takes a good graph: edges as [min, max], identity features when it has none", () => {
    const g = checkGraph({
      nodes: 3,
      edges: [
        [2, 0],
        [1, 2],
      ],
    });
    expect(g).toEqual({
      nodes: 3,
      edges: [
        [0, 2],
        [1, 2],
      ],
      featureSize: 3,
      features: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    });
    expect(graphProblems({ nodes: 1, edges: [] })).toEqual([]);
  });
});

describe("A_hat and the Dirichlet energy", () => {
  it("A_hat = D^-1/2 (A + I) D^-1/2: 1/d on the diagonal, 1/sqrt(d_i d_j) on each edge, both ways", () => {
    // A path 0-1-2: degrees of A + I are 2, 3, 2.
    const { rows, cols, values } = normalizedAdjacency({
      nodes: 3,
      edges: [
        [0, 1],
        [1, 2],
      ],
    });
    const dense = Array.from({ length: 3 }, () => [0, 0, 0]);
    values.forEach((v, k) => {
      dense[rows[k]][cols[k]] += v;
    });
    const s6 = 1 / Math.sqrt(6);
    expect(dense.flat().map((v) => Number(v.toFixed(12)))).toEqual(
      [1 / 2, s6, 0, s6, 1 / 3, s6, 0, s6, 1 / 2].map((v) => Number(v.toFixed(12))),
    );
  });

  it("the normalized energy is 0 for rows proportional to sqrt(d), positive otherwise, and scale-free", () => {
    const g = {
      nodes: 3,
      edges: [
        [0, 1],
        [1, 2],
      ] as [number, number][],
    };
    expect(dirichletEnergy(g, [Math.sqrt(2), Math.sqrt(3), Math.sqrt(2)], 1)).toBeCloseTo(0, 12);
    const h = [1, -1, 2, 0.5, -3, 1];
    const e = dirichletEnergy(g, h, 2);
    expect(e).toBeGreaterThan(0);
    expect(
      dirichletEnergy(
        g,
        h.map((v) => 7 * v),
        2,
      ),
    ).toBeCloseTo(e, 12);
    // tr(H^T (I - A_hat) H) / tr(H^T H), from the dense matrix.
    const a = [
      [1 / 2, 1 / Math.sqrt(6), 0],
      [1 / Math.sqrt(6), 1 / 3, 1 / Math.sqrt(6)],
      [0, 1 / Math.sqrt(6), 1 / 2],
    ];
    let num = 0;
    let den = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 3; i++) {
        den += h[i * 2 + c] ** 2;
        for (let j = 0; j < 3; j++) num += h[i * 2 + c] * ((i === j ? 1 : 0) - a[i][j]) * h[j * 2 + c];
      }
    expect(e).toBeCloseTo(num / den, 12);
    expect(dirichletEnergy(g, [0, 0, 0], 1)).toBeNaN();
  });
});

describe("graph datasets", () => {
  it("sbm: blocks of nodes, x node ids, y blocks, the same arrays for the same seed", () => {
    const spec = parseDatasetSpec({ name: "sbm", blocks: 3, blockSize: 20, trainCount: 12, testCount: 30 });
    const d = makeDataset(spec, 7);
    expect(d.graph?.nodes).toBe(60);
    expect(d.graph?.featureSize).toBe(3);
    expect(d.inputSize).toBe(1);
    expect(d.task).toBe("classification");
    expect(d.classes).toBe(3);
    expect(d.train.count).toBe(12);
    expect(d.test.count).toBe(30);
    // Stratified: 4 training nodes per block; labels are the blocks of the node ids.
    const perClass = [0, 0, 0];
    d.train.y.forEach((y, i) => {
      perClass[y]++;
      expect(y).toBe(Math.floor(d.train.x[i] / 20));
    });
    expect(perClass).toEqual([4, 4, 4]);
    const train = new Set(d.train.x);
    expect([...d.test.x].some((id) => train.has(id))).toBe(false);
    expect(makeDataset(spec, 7)).toEqual(d);
    expect(makeDataset(spec, 8).graph?.edges).not.toEqual(d.graph?.edges);
    // Inside blocks edges are denser than across (pIn 0.2 vs pOut 0.02).
    const inside = d.graph?.edges.filter(([i, j]) => Math.floor(i / 20) === Math.floor(j / 20)).length ?? 0;
    expect(inside).toBeGreaterThan(3 * ((d.graph?.edges.length ?? 0) - inside));
    expect(graphProblems(d.graph as NonNullable<typeof d.graph>)).toEqual([]);
  });

  it("sbm without testCount tests on every node not trained on", () => {
    const d = makeDataset(parseDatasetSpec({ name: "sbm" }), 1);
    expect(d.graph?.nodes).toBe(75);
    expect(d.train.count + d.test.count).toBe(75);
  });

  it("karate: Zachary's 34 members, 78 friendships, two factions of 17, identity features", () => {
    const d = makeDataset(parseDatasetSpec({ name: "karate", trainCount: 4 }), 3);
    expect(d.graph?.nodes).toBe(34);
    expect(d.graph?.edges).toHaveLength(78);
    expect(KARATE_EDGES).toHaveLength(78);
    expect(d.graph?.featureSize).toBe(34);
    expect(d.train.count).toBe(4);
    expect(d.test.count).toBe(30);
    const labels = new Map<number, number>();
    for (const s of [d.train, d.test]) for (let i = 0; i < s.count; i++) labels.set(s.x[i], s.y[i]);
    expect([...labels.values()].filter((y) => y === 0)).toHaveLength(17);
    expect(labels.get(0)).toBe(0); // Mr. Hi
    expect(labels.get(33)).toBe(1); // the officer
    // The two leaders have the most friends: 16 and 17.
    const degree = (v: number) => d.graph?.edges.filter(([i, j]) => i === v || j === v).length;
    expect([degree(0), degree(33)]).toEqual([16, 17]);
  });

  it("refuses splits that do not fit the graph, and unknown fields, naming them", () => {
    expect(() => parseDatasetSpec({ name: "karate", trainCount: 30, testCount: 10 })).toThrow(
      /data.trainCount: trainCount \+ testCount must be at most the 34 nodes of the graph, got 30 \+ 10/,
    );
    expect(() => parseDatasetSpec({ name: "sbm", blocks: 8, blockSize: 200 })).toThrow(
      /blocks x blockSize must be at most 1000 nodes, got 8 x 200 = 1600/,
    );
    expect(() => parseDatasetSpec({ name: "sbm", pIn: 1.5 })).toThrow(
      /data.pIn: must be a number in \[0, 1\], got 1.5/,
    );
    expect(() => parseDatasetSpec({ name: "sbm", edges: [] })).toThrow(
      /unknown field "edges" for dataset "sbm"/,
    );
    expect(() => parseDatasetSpec({ name: "graph" })).toThrow(
      /unknown dataset "graph"; expected one of .*sbm, karate/,
    );
  });

  it("has a shape before any node is drawn", () => {
    expect(datasetShape(parseDatasetSpec({ name: "sbm", blocks: 4, blockSize: 10 }))).toEqual({
      task: "classification",
      inputSize: 1,
      outputSize: 4,
      classes: 4,
      graphShape: { nodes: 40, featureSize: 4 },
    });
  });
});

describe("the config of a graph run", () => {
  it("takes a GCN on a graph, with curvature", () => {
    const c = resolveConfig({
      data: { name: "karate" },
      model: { kind: "gcn", hiddenSizes: [8, 8] },
      curvature: { topK: 1 },
    });
    expect(c.model).toMatchObject({ kind: "gcn", hiddenSizes: [8, 8], activation: "relu", init: "auto" });
  });

  it("refuses a GCN without a graph, a graph without a GCN, and what a GCN cannot do", () => {
    expect(() => resolveConfig({ data: { name: "spirals" }, model: { kind: "gcn" } })).toThrow(
      /model.kind: "gcn" needs a graph dataset \(sbm or karate\), got data.name "spirals"/,
    );
    expect(() => resolveConfig({ data: { name: "sbm" } })).toThrow(
      /model.kind: the data "sbm" are a graph \(x holds node ids\); use model.kind "gcn", got "mlp"/,
    );
    expect(() => resolveConfig({ data: { name: "sbm" }, model: { kind: "gcn", activation: "elu" } })).toThrow(
      /model.activation/,
    );
    expect(() =>
      resolveConfig({
        data: { name: "sbm" },
        model: { kind: "gcn" },
        directions: { method: "hessian-top2" },
      }),
    ).toThrow(/directions.method hessian-top2/);
  });

  it("tells the app's controls in one line that they cannot show a graph run", () => {
    const { problems } = fromExperimentConfig({ data: { name: "sbm" }, model: { kind: "gcn" } });
    expect(problems).toEqual([
      'a graph run (dataset "sbm", a GCN): the controls cannot show it, it runs as its config says',
    ]);
  });
});
