/**
 * The one list of export formats (src/core/export/formats.ts): the built-in formats write what
 * their writer modules write, and a format registered here, in the test alone, becomes a `--to`
 * choice of the CLI (help, checks, the written file) and an item of the app's export menu without
 * any other file changing. That is the promise of issue 15: a new format is a writer plus one entry.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EXPORT_FORMATS,
  type ExportContext,
  exportFileName,
  exportMenu,
  formatById,
} from "../../src/app/io/export-formats";
import { buildExport, type ExportSource } from "../../src/app/io/exporters";
import { exportCommand, registerExportCommands } from "../../src/cli/export-command";
import {
  type ExportFormatSpec,
  exportFormat,
  exportFormats,
  IMPORTED_SURFACE_KIND,
  type ImportedSurface,
  REFERENCE_HDF5_FORMAT,
  registerExportFormat,
  surfaceToCsv,
  surfaceToObj,
  surfaceToVtk,
  writeExport,
} from "../../src/core/export";
import { writeSnapshotFile } from "../../src/node/snapshot-file";
import { planeSnapshot } from "./export-fixture";

const shown2d: ExportContext = { snapshot: true, surface: true, dims: 2, view: "surface" };

/** A surface without model, data or directions, as read from the reference tool's .h5. */
function importedSurface(): ImportedSurface {
  const s = planeSnapshot();
  return {
    kind: IMPORTED_SURFACE_KIND,
    format: REFERENCE_HDF5_FORMAT,
    source: "run.h5",
    grid: s.grid,
    coordinates: [Float64Array.of(-1, 0, 1), Float64Array.of(-0.5, 0.5)],
    surfaces: { train_loss: s.surfaces.train_loss },
    names: { train_loss: "train_loss" },
    attributes: {},
    warnings: [],
  };
}

/** The fixture's writer: the grid, the metric and which options reached it, as text. */
const fixture: ExportFormatSpec = {
  id: "fixture",
  label: "Fixture (.fix)",
  description: "grid size, metric and options, for the registry's test",
  extension: ".fix",
  mime: "text/plain",
  needs: "surface",
  options: ["metric"],
  naming: { metric: true },
  write: async (input, o) =>
    `fixture ${input.view.grid.axes.map((a) => a.count).join("x")} ${o.metric ?? "train_loss"} [${Object.keys(o).join(",")}]`,
};

/** The `export` command as the CLI builds it, quiet, throwing instead of exiting; its help on one line. */
function exportProgram(): { program: Command; exportHelp: string } {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerExportCommands(program);
  const command = program.commands.find((c) => c.name() === "export") as Command;
  // One line: commander wraps the help to the terminal width.
  return { program, exportHelp: command.helpInformation().replace(/\s+/g, " ") };
}

describe("the export format registry", () => {
  it("lists the built-in formats once each, in the CLI's order, with extension, MIME type and label", () => {
    const ids = exportFormats().map((f) => f.id);
    expect(ids).toEqual([
      "hdf5",
      "hdf5-directions",
      "vtk",
      "vtp",
      "csv",
      "obj",
      "glb",
      "png",
      "json",
      "json.gz",
    ]);
    for (const f of exportFormats()) {
      expect(f.extension, f.id).toMatch(/^\.[a-z0-9.]+$/);
      expect(f.mime, f.id).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
      expect(f.label, f.id).toContain(`(${f.extension})`);
    }
  });

  it("writes as the writer modules do, each writer getting only the options its format lists", async () => {
    const s = planeSnapshot();
    const given = { metric: "test_loss", log: true, colors: true, arrays: "plain" as const };
    expect(await writeExport(exportFormat("csv"), { view: s, snapshot: s }, given)).toBe(surfaceToCsv(s));
    expect(await writeExport(exportFormat("vtk"), { view: s }, given)).toBe(
      surfaceToVtk(s, { metric: "test_loss", log: true }),
    );
    expect(await writeExport(exportFormat("obj"), { view: s }, given)).toBe(
      surfaceToObj(s, { metric: "test_loss", log: true, colors: true }),
    );
  });

  it("refuses a format that needs a snapshot for a surface file alone, and HDF5 without a library", async () => {
    await expect(writeExport(exportFormat("json"), { view: importedSurface() })).rejects.toThrow(
      /json needs a snapshot; a surface file has no model, data or directions/,
    );
    // The host passes h5wasm in (the CLI loadH5wasm; the app writes HDF5 in a worker instead).
    await expect(writeExport(exportFormat("hdf5"), { view: importedSurface() })).rejects.toThrow(
      /this export writes HDF5: pass an HDF5 library/,
    );
  });

  it("refuses a second format with a taken id, and names the known ids for an unknown one", () => {
    expect(() => registerExportFormat({ ...fixture, id: "csv" })).toThrow(/"csv" is registered already/);
    expect(() => exportFormat("xlsx")).toThrow(/unknown export format "xlsx"; expected one of hdf5, /);
  });
});

describe("a format registered in the test alone", () => {
  let dir = "";
  let plane = "";
  let unregister: () => void = () => {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "landscape-format-registry-"));
    plane = path.join(dir, "plane.json");
    await writeSnapshotFile(plane, planeSnapshot());
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    unregister = registerExportFormat(fixture);
  });
  afterEach(() => {
    unregister();
    vi.restoreAllMocks();
  });

  it("is a --to choice of the CLI, and its help names it beside the options it takes", async () => {
    const { program, exportHelp } = exportProgram();
    expect(exportHelp).toMatch(/output format: hdf5, hdf5-directions, .*json, json\.gz, fixture/);
    expect(exportHelp).toMatch(/vtk, vtp, obj, glb, png, fixture: the surface to draw/);
    expect(exportHelp).toMatch(/vtk, vtp, obj, glb, png: plot ln\(value \+ 0\.1\)/);
    await expect(
      program.parseAsync(["export", plane, "--to", "xlsx", "--out", path.join(dir, "never")], {
        from: "user",
      }),
    ).rejects.toThrow(/--to must be one of hdf5, .*json\.gz, fixture/);
  });

  it("is written by `landscape export`, which refuses the options it does not take", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const out = path.join(dir, "plane.fix");
    const { program } = exportProgram();
    await program.parseAsync(["export", plane, "--to", "fixture", "--out", out, "--metric", "test_loss"], {
      from: "user",
    });
    expect(await readFile(out, "utf8")).toBe("fixture 3x2 test_loss [metric]");
    expect(stdout).toHaveBeenCalledWith(`wrote ${out} (fixture, 30 bytes)\n`);
    await expect(exportCommand(plane, { to: "fixture", out, log: true })).rejects.toThrow(
      /--log applies to --to vtk or vtp or obj or glb or png, not fixture/,
    );
  });

  it("is an item of the app's export menu, named and written through the registry", async () => {
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
      "fixture",
    ]);
    const item = exportMenu(shown2d).find((i) => i.format.id === "fixture");
    expect(item).toEqual({ format: fixture, reason: null });
    expect(exportMenu({ ...shown2d, busy: true }).at(-1)?.reason).toMatch(/wait until/);
    expect(formatById("fixture").label).toBe("Fixture (.fix)");

    const stem = "moons-2-3-2-20261127-1000";
    expect(exportFileName(stem, "fixture", { metric: "test_loss" })).toBe(`${stem}-test_loss.fix`);
    const source: ExportSource = { kind: "snapshot", snapshot: planeSnapshot(), stem };
    // The app offers every writer its metric and colours; the fixture takes only the metric.
    const built = await buildExport("fixture", source, { metric: "test_loss" });
    expect(built.name).toBe(`${stem}-test_loss.fix`);
    expect(built.blob.type).toBe("text/plain");
    expect(await built.blob.text()).toBe("fixture 3x2 test_loss [metric]");
  });

  it("is offered for a surface file only when it needs no snapshot", async () => {
    unregister();
    unregister = registerExportFormat({ ...fixture, needs: "snapshot" });
    const ctx: ExportContext = { ...shown2d, snapshot: false };
    expect(exportMenu(ctx).at(-1)?.reason).toMatch(/no model, data or directions/);
    const view = { kind: "imported-surface" as const, snapshot: importedSurface(), done: 6, total: 6 };
    const source: ExportSource = { kind: "imported-surface", view, stem: "run" };
    await expect(buildExport("fixture", source, { metric: "train_loss" })).rejects.toThrow(
      /a fixture file needs a snapshot; run\.h5 is a surface file/,
    );
  });

  it("is gone from the CLI and the menu once removed", () => {
    unregister();
    expect(exportProgram().exportHelp).not.toContain("fixture");
    expect(EXPORT_FORMATS.map((f) => f.id)).not.toContain("fixture");
    expect(() => formatById("fixture")).toThrow(/unknown export format "fixture"/);
  });
});
