import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadH5wasm } from "../../src/core/export/h5";
import { surfaceToHdf5 } from "../../src/core/export/hdf5-surface";
import { createGuardedHdf5Reader } from "../../src/node/hdf5-guard";
import { planeSnapshot } from "./export-fixture";

const reader = createGuardedHdf5Reader({ timeoutMs: 3000 });
afterAll(() => reader.close());

describe("reading HDF5 files with a time limit", () => {
  it("reads a good surface file in its worker thread", async () => {
    const snapshot = planeSnapshot();
    const bytes = surfaceToHdf5(await loadH5wasm(), snapshot);
    const surface = await reader.read(bytes, "good.h5");
    expect(Array.from(surface.surfaces.train_loss ?? [])).toEqual(Array.from(snapshot.surfaces.train_loss));
  });

  it("stops a corrupt file on which the HDF5 library loops forever, with a clear error, and reads the next file", async () => {
    // Found by npm run fuzz: a byte-mutated surface file that h5wasm never finishes reading.
    const hang = new Uint8Array(readFileSync(new URL("./fixtures/hdf5-loops-forever.h5", import.meta.url)));
    await expect(reader.read(hang, "broken.h5")).rejects.toThrow(
      /^broken\.h5: reading the HDF5 file did not finish within 3 s; the file is probably corrupt$/,
    );
    const bytes = surfaceToHdf5(await loadH5wasm(), planeSnapshot());
    expect((await reader.read(bytes, "after.h5")).grid.axes.length).toBe(2);
  }, 30_000);

  it("passes the reader's own error through for a file that is not HDF5", async () => {
    await expect(reader.read(new TextEncoder().encode("{}"), "notes.json")).rejects.toThrow(/notes\.json/);
  });
});
