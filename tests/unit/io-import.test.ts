/**
 * The app's import helpers: what a file is read as, the message for a bad file, the view of an
 * imported reference surface, the metric it is shown with, and the store's surface-only view
 * (model-dependent state stays empty; a computed landscape replaces it).
 */
import { describe, expect, it } from "vitest";
import { importErrorText, importedView, importKind, metricToShow } from "../../src/app/io/import-files";
import { loadH5wasm, readHdf5Surface, surfaceToHdf5 } from "../../src/core/export";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { runOrigin } from "../../src/state/origin";
import { defaultSettings } from "../../src/state/properties";
import { createAppStore, selectShownLandscape } from "../../src/state/store";
import { lineSnapshot, planeSnapshot } from "./export-fixture";

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

async function surfaceFile(snapshot = planeSnapshot(), source = "plane.h5") {
  const bytes = surfaceToHdf5(await loadH5wasm(), snapshot);
  return { bytes, surface: readHdf5Surface(await loadH5wasm(), bytes, { source }) };
}

describe("what an imported file is read as", () => {
  it("is HDF5 by the signature, whatever the name", () => {
    const bytes = new Uint8Array(16);
    bytes.set(HDF5_SIGNATURE);
    expect(importKind(bytes, "renamed.json")).toBe("hdf5");
    const afterUserBlock = new Uint8Array(1024);
    afterUserBlock.set(HDF5_SIGNATURE, 512);
    expect(importKind(afterUserBlock, "x")).toBe("hdf5");
  });

  it("is HDF5 by the name without a signature (so the HDF5 reader says what is wrong)", () => {
    const junk = new TextEncoder().encode("not hdf5 at all");
    expect(importKind(junk, "run.h5")).toBe("hdf5");
    expect(importKind(junk, "RUN.HDF5")).toBe("hdf5");
    expect(importKind(new Uint8Array(0), "empty.h5")).toBe("hdf5");
  });

  it("is a snapshot otherwise", () => {
    expect(importKind(new TextEncoder().encode("{}"), "s.json")).toBe("snapshot");
    expect(importKind(Uint8Array.of(0x1f, 0x8b, 8), "s.json.gz")).toBe("snapshot");
    expect(importKind(new Uint8Array(0), "nothing")).toBe("snapshot");
  });
});

describe("import error messages", () => {
  it("name the file once and say what is wrong", () => {
    expect(importErrorText(new Error("run.h5: HDF5 cannot open it: truncated file"), "run.h5")).toBe(
      "import of run.h5 failed: HDF5 cannot open it: truncated file",
    );
    expect(importErrorText(new Error("run.h5 is not an HDF5 file: no HDF5 signature"), "run.h5")).toBe(
      "import of run.h5 failed: is not an HDF5 file: no HDF5 signature",
    );
    expect(importErrorText(new Error("worker failed"), "run.h5")).toBe(
      "import of run.h5 failed: worker failed",
    );
    expect(importErrorText("plain text", "a.json")).toBe("import of a.json failed: plain text");
  });

  it("list at most five problems of a snapshot", () => {
    const err = new SnapshotError(["p1", "p2", "p3", "p4", "p5", "p6"], "s.json");
    expect(importErrorText(err, "s.json")).toBe("import of s.json failed: p1; p2; p3; p4; p5; …");
  });
});

describe("the view of an imported surface file", () => {
  it("draws the whole grid at once, as read", async () => {
    const { surface } = await surfaceFile();
    const view = importedView(surface);
    expect(view.kind).toBe("imported-surface");
    expect(view.done).toBe(6);
    expect(view.total).toBe(6);
    expect(view.snapshot).toBe(surface);
    expect(view.snapshot.grid.axes.map((a) => a.count)).toEqual([3, 2]);
  });

  it("takes 1-D files too", async () => {
    const { surface } = await surfaceFile(lineSnapshot(), "line.h5");
    expect(importedView(surface).total).toBe(5);
  });

  it("refuses a surface whose length does not fit the grid, naming the file", async () => {
    const { surface } = await surfaceFile();
    surface.surfaces.train_loss = new Float32Array(5);
    expect(() => importedView(surface)).toThrow(/^plane\.h5: surface train_loss has 5 values, expected 6/);
  });

  it("is shown with the current metric when the file has it, else the first of ours it has", () => {
    expect(metricToShow("test_loss", ["train_loss", "test_loss"])).toBe("test_loss");
    expect(metricToShow("test_loss", ["train_loss", "train_accuracy"])).toBe("train_loss");
    expect(metricToShow("train_loss", ["test_accuracy"])).toBe("test_accuracy");
    expect(metricToShow("train_loss", ["min_eig"])).toBe("train_loss");
  });
});

describe("the store's surface-only view", () => {
  it("shows an imported surface with no landscape, picked point or boundary", async () => {
    const store = createAppStore();
    const snapshot = planeSnapshot();
    store.getState().setLandscape({ snapshot, done: 6, total: 6, origin: runOrigin(defaultSettings()) });
    store.getState().setPicked({ x: 0, y: 0, values: {} });
    const version = store.getState().landscapeVersion;
    const view = importedView((await surfaceFile()).surface);
    store.getState().showImported(view);
    const s = store.getState();
    expect(s.landscape).toBeNull();
    expect(s.imported).toBe(view);
    expect(s.picked).toBeNull();
    expect(s.boundary).toBeNull();
    expect(s.landscapeVersion).toBe(version + 1);
    expect(selectShownLandscape(s)).toBe(view);
  });

  it("gives way to the next landscape (computed or imported snapshot)", async () => {
    const store = createAppStore();
    store.getState().showImported(importedView((await surfaceFile()).surface));
    const landscape = { snapshot: planeSnapshot(), done: 6, total: 6, origin: runOrigin(defaultSettings()) };
    store.getState().setLandscape(landscape);
    expect(store.getState().imported).toBeNull();
    expect(selectShownLandscape(store.getState())).toBe(landscape);
    store.getState().showImported(importedView((await surfaceFile()).surface));
    store.getState().setLandscape(null);
    expect(selectShownLandscape(store.getState())).toBeNull();
  });
});
