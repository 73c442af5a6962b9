/**
 * `info` of a snapshot made by `import --base`: it says first that its surfaces were read from a
 * file, not computed here, and marks the directions, training and curvature it took from the base.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  directionsToHdf5,
  type H5Lib,
  loadH5wasm,
  readHdf5Directions,
  readHdf5Surface,
  snapshotWithImportedSurface,
  surfaceToHdf5,
} from "../../src/core/export";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { planeSnapshot } from "./export-fixture";

let lib: H5Lib;
beforeAll(async () => {
  lib = await loadH5wasm();
});

/** The summary's lines as label -> text. */
function lines(text: string): Map<string, string> {
  return new Map(
    text.split("\n").map((l) => {
      const m = /^(.*?)\s{2,}(.*)$/.exec(l);
      return [m?.[1] ?? l, m?.[2] ?? ""] as [string, string];
    }),
  );
}

function base(): Snapshot {
  const s = planeSnapshot();
  s.training = { status: "ok", epochs: 3, steps: 12, history: [] } as unknown as Snapshot["training"];
  return s;
}

describe("info of an imported snapshot", () => {
  it("names the surface file and marks the base's directions and training as the base's", () => {
    const surface = readHdf5Surface(lib, surfaceToHdf5(lib, planeSnapshot()), { source: "pytorch.h5" });
    const info = lines(summarizeSnapshot(snapshotWithImportedSurface(base(), surface)));
    expect(info.get("imported")).toMatch(
      /^surfaces read from pytorch\.h5 \(.*train_loss.*\), not computed by this program; imported by /,
    );
    expect(info.get("imported directions")).toMatch(/^the base snapshot's/);
    for (const label of ["direction x", "direction y", "training"])
      expect(info.get(label), label).toMatch(/ \(from the base snapshot\)$/);
    expect([...info.keys()].indexOf("imported")).toBe(1); // right after the snapshot line
  });

  it("names the directions file when the directions were replaced, and does not call them the base's", () => {
    const b = base();
    const surface = readHdf5Surface(lib, surfaceToHdf5(lib, planeSnapshot()), { source: "pytorch.h5" });
    const directions = readHdf5Directions(lib, directionsToHdf5(lib, b), b.model.layout, {
      source: "dirs.h5",
    });
    const info = lines(summarizeSnapshot(snapshotWithImportedSurface(b, surface, { directions })));
    expect(info.get("imported directions")).toBe("read from dirs.h5");
    expect(info.get("direction x")).not.toMatch(/base snapshot/);
    expect(info.get("training")).toMatch(/ \(from the base snapshot\)$/);
  });

  it("says nothing of an import for a computed snapshot", () => {
    const text = summarizeSnapshot(base());
    expect(text).not.toMatch(/imported|base snapshot/);
  });
});
