/**
 * The app's export menu as data: which formats apply to what is shown (and why not), the file
 * names, the metric a one-surface export writes, the PNG size, and the export source on screen.
 */
import { describe, expect, it } from "vitest";
import {
  availability,
  EXPORT_FORMATS,
  type ExportContext,
  exportFileName,
  exportMetric,
  formatById,
  safeStem,
} from "../../src/app/io/export-formats";
import { exportSourceOf } from "../../src/app/io/exporters";
import { pngSize } from "../../src/app/io/scene-export";
import { snapshotFileName, snapshotStem } from "../../src/app/io/snapshot-files";
import { IMPORTED_SURFACE_KIND, type ImportedSurface, REFERENCE_HDF5_FORMAT } from "../../src/core/export";
import { runOrigin } from "../../src/state/origin";
import { defaultSettings } from "../../src/state/properties";
import { planeSnapshot } from "./export-fixture";

const shown2d: ExportContext = { snapshot: true, surface: true, dims: 2, view: "surface" };

function available(ctx: ExportContext): string[] {
  return EXPORT_FORMATS.filter((f) => availability(f, ctx) === null).map((f) => f.id);
}

function importedSurface(source = "resnet56 sgd.h5"): ImportedSurface {
  return {
    kind: IMPORTED_SURFACE_KIND,
    format: REFERENCE_HDF5_FORMAT,
    source,
    grid: {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -1, max: 1, count: 2 },
      ],
    },
    coordinates: [Float64Array.of(-1, 0, 1), Float64Array.of(-1, 1)],
    surfaces: { train_loss: new Float32Array(6).fill(1) },
    names: { train_loss: "train_loss" },
    attributes: {},
    warnings: [],
  };
}

describe("which export formats apply", () => {
  it("offers every format for a complete 2-D snapshot drawn in 3D", () => {
    expect(available(shown2d)).toEqual(EXPORT_FORMATS.map((f) => f.id));
    expect(EXPORT_FORMATS.map((f) => f.id)).toEqual([
      "json.gz",
      "json",
      "hdf5",
      "hdf5-directions",
      "vtk",
      "vtp",
      "csv",
      "obj",
      "glb",
      "png",
    ]);
  });

  it("offers only the surface formats for an imported surface file, and says why not the others", () => {
    const ctx: ExportContext = { ...shown2d, snapshot: false };
    expect(available(ctx)).toEqual(["hdf5", "vtk", "vtp", "csv", "obj", "glb", "png"]);
    expect(availability(formatById("hdf5-directions"), ctx)).toMatch(/no model, data or directions/);
  });

  it("needs the 3D tab for the glTF and the PNG, and a 2-D landscape for the glTF", () => {
    expect(availability(formatById("glb"), { ...shown2d, view: "none" })).toBe("open the 3D surface tab");
    expect(availability(formatById("png"), { ...shown2d, view: "none" })).toBe("open the 3D surface tab");
    const line: ExportContext = { ...shown2d, dims: 1, view: "curve" };
    expect(availability(formatById("glb"), line)).toMatch(/1-D landscape has no surface mesh/);
    expect(availability(formatById("png"), line)).toBeNull();
  });

  it("offers nothing before there is a landscape or while one is computed", () => {
    expect(available({ snapshot: false, surface: false, dims: 0, view: "none" })).toEqual([]);
    expect(available({ ...shown2d, busy: true })).toEqual([]);
    expect(availability(formatById("csv"), { ...shown2d, busy: true })).toMatch(/wait until/);
  });

  it("throws for an unknown format id, listing the known ones", () => {
    expect(() => formatById("xlsx")).toThrow(
      /unknown export format "xlsx"; expected one of json\.gz, json, hdf5/,
    );
  });
});

describe("export file names", () => {
  const stem = "spirals-2-32-32-2-20261127-1012";

  it("name the format, and the metric for one-surface exports, and the PNG's scale", () => {
    const names = EXPORT_FORMATS.map((f) => exportFileName(stem, f.id, { metric: "test_loss", pngScale: 4 }));
    expect(names).toEqual([
      `${stem}.json.gz`,
      `${stem}.json`,
      `${stem}-surface.h5`,
      `${stem}-directions.h5`,
      `${stem}-test_loss.vtk`,
      `${stem}-test_loss.vtp`,
      `${stem}.csv`,
      `${stem}-test_loss.obj`,
      `${stem}-test_loss.glb`,
      `${stem}-test_loss-4x.png`,
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("keep the snapshot's stem: dataset, architecture and time", () => {
    const s = planeSnapshot();
    expect(snapshotStem(s)).toBe("moons-2-3-2-20261127-1000");
    expect(snapshotFileName(s)).toBe("moons-2-3-2-20261127-1000.json.gz");
    expect(snapshotFileName(s, false)).toBe("moons-2-3-2-20261127-1000.json");
  });

  it("make a safe stem of an imported file's name", () => {
    expect(safeStem("resnet56 sgd.h5")).toBe("resnet56_sgd");
    expect(safeStem("model.h5_[-1.0,1.0,51]x[-1.0,1.0,51].h5")).toBe("model.h5_-1.0_1.0_51_x_-1.0_1.0_51");
    expect(safeStem("../../etc/passwd")).toBe("etc_passwd");
    expect(safeStem("<script>.json.gz")).toBe("script");
    expect(safeStem("")).toBe("landscape");
    expect(safeStem("....h5")).toBe("landscape");
    expect(safeStem("x".repeat(200))).toHaveLength(60);
  });
});

describe("the metric of a one-surface export", () => {
  it("is the one shown when the file has it, else train_loss, else the first", () => {
    expect(exportMetric("test_loss", ["train_loss", "test_loss"])).toBe("test_loss");
    expect(exportMetric("test_loss", ["train_accuracy", "train_loss"])).toBe("train_loss");
    expect(exportMetric("test_loss", ["min_eig", "max_eig"])).toBe("min_eig");
    expect(exportMetric("test_loss", [])).toBeUndefined();
  });
});

describe("the PNG's size", () => {
  it("is the view's size times the scale", () => {
    expect(pngSize(640, 480, 1, 8192)).toEqual({ width: 640, height: 480, limited: false });
    expect(pngSize(640.4, 479.6, 2, 8192)).toEqual({ width: 1281, height: 959, limited: false });
  });

  it("shrinks to the GPU's limit, keeping the aspect", () => {
    expect(pngSize(640, 480, 4, 2048)).toEqual({ width: 2048, height: 1536, limited: true });
    expect(pngSize(300, 3000, 4, 4096)).toEqual({ width: 409, height: 4096, limited: true });
  });

  it("never gets an empty side", () => {
    expect(pngSize(0, 0, 4, 4096)).toEqual({ width: 1, height: 1, limited: false });
  });
});

describe("the export source on screen", () => {
  it("is the complete landscape's snapshot, or nothing while it is being computed", () => {
    const snapshot = planeSnapshot();
    const complete = { snapshot, done: 6, total: 6, origin: runOrigin(defaultSettings()) };
    expect(exportSourceOf({ landscape: complete, imported: null })).toEqual({
      kind: "snapshot",
      snapshot,
      stem: "moons-2-3-2-20261127-1000",
    });
    expect(
      exportSourceOf({
        landscape: { snapshot, done: 3, total: 6, origin: runOrigin(defaultSettings()) },
        imported: null,
      }),
    ).toBeNull();
    // A job's landscape starts with total 0: still not complete.
    expect(
      exportSourceOf({
        landscape: { snapshot, done: 0, total: 0, origin: runOrigin(defaultSettings()) },
        imported: null,
      }),
    ).toBeNull();
  });

  it("is an imported surface file when no landscape is shown, named after the file", () => {
    const view = { kind: "imported-surface" as const, snapshot: importedSurface(), done: 6, total: 6 };
    const source = exportSourceOf({ landscape: null, imported: view });
    expect(source?.kind).toBe("imported-surface");
    expect(source?.stem).toBe("resnet56_sgd");
    expect(exportSourceOf({ landscape: null, imported: null })).toBeNull();
  });
});
