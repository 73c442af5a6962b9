/**
 * The graph datasets (the "graph" task: node classification on one graph, with a GCN,
 * model/gcn.ts): a stochastic block model generated from the data seed, and Zachary's karate
 * club. A sample is a NODE: x is its id (one column, inputSize 1) and y its class; the graph
 * itself (edges and node features) travels in Dataset.graph and from there in the GCN's
 * architecture, which computes over the whole graph and answers for the nodes it is asked about.
 * `trainCount` nodes (as even over the classes as the classes allow) are the training split,
 * `testCount` others the test split (absent: every other node); the rest are in the graph but
 * in neither split (semi-supervised, as in Kipf and Welling 2017).
 *
 * @example makeGraphDataset(parseDatasetSpec({ name: "sbm" }) as GraphDatasetSpec, 7).graph?.nodes // 75
 */
import { z } from "zod";
import { createRng, deriveSeed, type Rng, shuffleInPlace } from "../rng";
import { checkGraph, type GraphData, MAX_GRAPH_NODES } from "./graph";
import type { Dataset } from "./types";

export const GRAPH_DATASET_NAMES = ["sbm", "karate"] as const;
type GraphDatasetName = (typeof GRAPH_DATASET_NAMES)[number];

const MAX_SEED = 0xffffffff;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
const rule = (description: string) => ({
  error: (issue: { input?: unknown }) => `must be ${description}, got ${show(issue.input)}`,
});
const int = (min: number, max: number) => {
  const r = rule(`an integer in [${min}, ${max}]`);
  return z.number(r).int(r).min(min, r).max(max, r);
};
const probability = () => {
  const r = rule("a number in [0, 1]");
  return z.number(r).min(0, r).max(1, r);
};

/** The strict object of a graph dataset, with the unknown-field message of the other datasets. */
function graphObject<Name extends GraphDatasetName, Shape extends z.ZodRawShape>(name: Name, shape: Shape) {
  const fields = ["name", "seed", "trainCount", "testCount", ...Object.keys(shape)];
  return z.strictObject(
    {
      name: z.literal(name),
      seed: int(0, MAX_SEED).optional(),
      /** Labelled nodes to train on, as even over the classes as they allow. */
      trainCount: int(1, MAX_GRAPH_NODES).default(name === "karate" ? 8 : 15),
      /** Test nodes among the others; absent: every node not in the training split. */
      testCount: int(0, MAX_GRAPH_NODES).optional(),
      ...shape,
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} ` +
            `for dataset "${name}"; expected only ${fields.join(", ")}`
          : undefined,
    },
  );
}

/** The split must fit in the graph: trainCount + testCount nodes at most. */
function splitFits(nodes: (s: { blocks?: number; blockSize?: number }) => number) {
  return (
    s: { trainCount: number; testCount?: number; blocks?: number; blockSize?: number },
    ctx: z.RefinementCtx,
  ) => {
    const n = nodes(s);
    if (n > MAX_GRAPH_NODES) {
      ctx.addIssue({
        code: "custom",
        path: ["blockSize"],
        message: `blocks x blockSize must be at most ${MAX_GRAPH_NODES} nodes, got ${s.blocks} x ${s.blockSize} = ${n}`,
      });
      return;
    }
    const total = s.trainCount + (s.testCount ?? 0);
    if (s.trainCount >= n || total > n) {
      ctx.addIssue({
        code: "custom",
        path: ["trainCount"],
        message:
          s.trainCount >= n
            ? `trainCount must be less than the ${n} nodes of the graph (some must be left to test), got ${s.trainCount}`
            : `trainCount + testCount must be at most the ${n} nodes of the graph, got ${s.trainCount} + ${s.testCount}`,
      });
    }
  };
}

/**
 * A stochastic block model (Holland et al. 1983): `blocks` communities of `blockSize` nodes (node
 * i is in block floor(i / blockSize)), each pair of nodes joined with probability pIn inside a
 * block and pOut across blocks. The class of a node is its block; its features are the one-hot
 * vector of its block plus N(0, noise^2) per entry (featureSize = blocks), so the features alone
 * classify poorly when noise is large and the graph's neighbourhoods carry the rest.
 */
export const sbmSpecSchema = graphObject("sbm", {
  blocks: int(2, 8).default(3),
  blockSize: int(2, MAX_GRAPH_NODES).default(25),
  pIn: probability().default(0.2),
  pOut: probability().default(0.02),
  noise: z
    .number(rule("a finite number >= 0"))
    .min(0, rule("a finite number >= 0"))
    .max(100, rule("a number in [0, 100]"))
    .default(1),
}).superRefine(splitFits((s) => (s.blocks ?? 3) * (s.blockSize ?? 25)));

/**
 * Zachary's karate club (Zachary 1977): 34 members, 78 friendships, and the two factions the club
 * split into (0: Mr. Hi's, 1: the officer's). No node features: each node's is its one-hot id (the
 * identity, as Kipf and Welling use on this graph).
 */
export const karateSpecSchema = graphObject("karate", {}).superRefine(splitFits(() => KARATE_NODES));

type SbmSpec = z.output<typeof sbmSpecSchema>;
type KarateSpec = z.output<typeof karateSpecSchema>;
type GraphDatasetSpec = SbmSpec | KarateSpec;

const KARATE_NODES = 34;
/** The 78 friendships of Zachary (1977), 0-based (networkx's karate_club_graph). */
// biome-ignore format: one edge list, kept compact
export const KARATE_EDGES: readonly (readonly [number, number])[] = [
  [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [0, 7], [0, 8], [0, 10], [0, 11], [0, 12], [0, 13],
  [0, 17], [0, 19], [0, 21], [0, 31], [1, 2], [1, 3], [1, 7], [1, 13], [1, 17], [1, 19], [1, 21],
  [1, 30], [2, 3], [2, 7], [2, 8], [2, 9], [2, 13], [2, 27], [2, 28], [2, 32], [3, 7], [3, 12],
  [3, 13], [4, 6], [4, 10], [5, 6], [5, 10], [5, 16], [6, 16], [8, 30], [8, 32], [8, 33], [9, 33],
  [13, 33], [14, 32], [14, 33], [15, 32], [15, 33], [18, 32], [18, 33], [19, 33], [20, 32], [20, 33],
  [22, 32], [22, 33], [23, 25], [23, 27], [23, 29], [23, 32], [23, 33], [24, 25], [24, 27], [24, 31],
  [25, 31], [26, 29], [26, 33], [27, 33], [28, 31], [28, 33], [29, 32], [29, 33], [30, 32], [30, 33],
  [31, 32], [31, 33], [32, 33],
];
/** Mr. Hi's faction (class 0); everyone else followed the officer (class 1). */
const KARATE_MR_HI = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 16, 17, 19, 21]);

/** Nodes, features and classes of a graph dataset, before the split. */
interface LabelledGraph {
  graph: GraphData;
  labels: Int32Array;
  classes: number;
}

function sbmGraph(spec: SbmSpec, rng: Rng): LabelledGraph {
  const nodes = spec.blocks * spec.blockSize;
  const labels = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) labels[i] = Math.floor(i / spec.blockSize);
  const edges: [number, number][] = [];
  for (let i = 0; i < nodes; i++)
    for (let j = i + 1; j < nodes; j++)
      if (rng.next() < (labels[i] === labels[j] ? spec.pIn : spec.pOut)) edges.push([i, j]);
  const features = new Array<number>(nodes * spec.blocks);
  for (let i = 0; i < nodes; i++)
    for (let c = 0; c < spec.blocks; c++)
      features[i * spec.blocks + c] = (labels[i] === c ? 1 : 0) + spec.noise * rng.normal();
  return {
    graph: checkGraph({ nodes, edges, featureSize: spec.blocks, features }, "sbm"),
    labels,
    classes: spec.blocks,
  };
}

function karateGraph(): LabelledGraph {
  const labels = new Int32Array(KARATE_NODES);
  for (let i = 0; i < KARATE_NODES; i++) labels[i] = KARATE_MR_HI.has(i) ? 0 : 1;
  return {
    graph: checkGraph({ nodes: KARATE_NODES, edges: KARATE_EDGES.map(([i, j]) => [i, j]) }, "karate"),
    labels,
    classes: 2,
  };
}

/**
 * The seeded node split: trainCount nodes taken in turn from each class's shuffled nodes (as even
 * as the classes allow), then testCount (default: all) of the other nodes in shuffled order. Both
 * splits list their nodes in increasing id.
 */
function splitNodes(
  labels: Int32Array,
  classes: number,
  trainCount: number,
  testCount: number | undefined,
  rng: Rng,
): { train: number[]; test: number[] } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((c, i) => {
    byClass[c].push(i);
  });
  for (const list of byClass) shuffleInPlace(list, rng);
  const train: number[] = [];
  for (let round = 0; train.length < trainCount; round++)
    for (const list of byClass) if (round < list.length && train.length < trainCount) train.push(list[round]);
  const taken = new Set(train);
  const rest: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!taken.has(i)) rest.push(i);
  shuffleInPlace(rest, rng);
  const test = rest.slice(0, testCount ?? rest.length);
  const up = (a: number, b: number) => a - b;
  return { train: train.sort(up), test: test.sort(up) };
}

function splitOf(nodes: number[], labels: Int32Array) {
  return {
    x: Float32Array.from(nodes),
    y: Float32Array.from(nodes, (i) => labels[i]),
    count: nodes.length,
  };
}

/** Whether a spec names a graph dataset. */
export function isGraphSpec(spec: { name: string }): spec is GraphDatasetSpec {
  return (GRAPH_DATASET_NAMES as readonly string[]).includes(spec.name);
}

/** Classes, nodes and features per node of a graph dataset, without generating it. */
export function graphShape(spec: GraphDatasetSpec): { classes: number; nodes: number; featureSize: number } {
  if (spec.name === "karate") return { classes: 2, nodes: KARATE_NODES, featureSize: KARATE_NODES };
  return { classes: spec.blocks, nodes: spec.blocks * spec.blockSize, featureSize: spec.blocks };
}

/**
 * The dataset of a graph spec: the graph (generated from `seed` for "sbm", drawn first), then the
 * node split from its own stream deriveSeed(seed, "graph-split"), so the same graph can be split
 * differently only by changing the counts. x holds node ids, y their classes.
 *
 * @example makeGraphDataset(karateSpecSchema.parse({ name: "karate" }), 1).train.count // 8
 */
export function makeGraphDataset(spec: GraphDatasetSpec, seed: number): Dataset {
  const { graph, labels, classes } = spec.name === "karate" ? karateGraph() : sbmGraph(spec, createRng(seed));
  const split = splitNodes(
    labels,
    classes,
    spec.trainCount,
    spec.testCount,
    createRng(deriveSeed(seed, "graph-split")),
  );
  return {
    name: spec.name,
    task: "classification",
    inputSize: 1,
    outputSize: classes,
    classes,
    train: splitOf(split.train, labels),
    test: splitOf(split.test, labels),
    graph,
  };
}
