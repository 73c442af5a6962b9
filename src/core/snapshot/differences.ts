/**
 * What differs between two snapshots in the parts that must agree for their models to be compared
 * or connected (architecture, loss, layout, data), one line per difference, naming the field.
 */
import type { Snapshot } from "./schema";

const text = (v: unknown) => JSON.stringify(v) ?? String(v);

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}

/**
 * What differs between two snapshots in the model's architecture, loss, layout or data, one line
 * per difference (empty when paths between their models make sense).
 *
 * @example snapshotDifferences(a, b, ["a.json", "b.json"]) // ["model.architecture.hiddenSizes: [64,64] in a.json, [32] in b.json"]
 */
export function snapshotDifferences(
  a: Snapshot,
  b: Snapshot,
  names: [string, string] = ["A", "B"],
): string[] {
  const out: string[] = [];
  const field = (path: string, x: unknown, y: unknown) => {
    if (text(x) !== text(y)) out.push(`${path}: ${text(x)} in ${names[0]}, ${text(y)} in ${names[1]}`);
  };
  const archA = a.model.architecture;
  const archB = b.model.architecture;
  for (const key of [
    "kind",
    "inputSize",
    "hiddenSizes",
    "outputSize",
    "activation",
    "leakyReluAlpha",
    "residual",
  ] as const) {
    field(
      `model.architecture.${key}`,
      (archA as unknown as Record<string, unknown>)[key],
      (archB as unknown as Record<string, unknown>)[key],
    );
  }
  field("model.loss", a.model.loss, b.model.loss);
  field(
    "model.layout",
    a.model.layout.map((e) => [e.name, e.shape]),
    b.model.layout.map((e) => [e.name, e.shape]),
  );
  if (a.model.parameters.length !== b.model.parameters.length) {
    field("model.parameters (length)", a.model.parameters.length, b.model.parameters.length);
  }
  for (const key of ["name", "task", "inputSize", "outputSize", "classes"] as const) {
    field(`data.${key}`, a.data[key], b.data[key]);
  }
  for (const split of ["train", "test"] as const) {
    const sa = a.data[split];
    const sb = b.data[split];
    const countA = sa?.count ?? 0;
    const countB = sb?.count ?? 0;
    if (countA !== countB) {
      field(`data.${split}.count`, countA, countB);
      continue;
    }
    if (!sa || !sb) continue;
    for (const key of ["x", "y"] as const) {
      const i = firstDifference(sa[key], sb[key]);
      if (i >= 0) {
        out.push(
          `data.${split}.${key}: the values differ (first at index ${i}: ${sa[key][i]} in ${names[0]}, ${sb[key][i]} in ${names[1]})`,
        );
      }
    }
  }
  return out;
}
