/**
 * `landscape export SNAPSHOT --to FORMAT --out FILE` and `landscape import FILE.h5 --base SNAPSHOT
 * --out FILE`: the file formats live in src/core/export; this file only reads, checks options and
 * writes. The input of export may also be a reference-layout surface .h5 (converted as an
 * ImportedSurface: hdf5, vtk, vtp, csv, obj, glb, png). Output is built completely in memory and written
 * atomically, so nothing is written on any error.
 */
import type { Command } from "commander";
import {
  directionsToHdf5,
  type ImportedSurface,
  loadH5wasm,
  readHdf5Directions,
  snapshotWithImportedSurface,
  surfaceToCsv,
  surfaceToGlb,
  surfaceToHdf5,
  surfaceToObj,
  surfaceToPng,
  surfaceToVtk,
  surfaceToVtp,
} from "../core/export";
import { inputKind } from "../core/export/file-kind";
import { parseSnapshot, type ReadLimits, type Snapshot, serializeSnapshot } from "../core/snapshot";
import { writeFileAtomic } from "../node/atomic-file";
import { createGuardedHdf5Reader } from "../node/hdf5-guard";
import { readInputFile, readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { ARRAY_MODES, arraysOption, choice } from "./option-parsers";
import { cliReadLimits, readMemoryOption } from "./read-limits";

/**
 * A surface .h5 read in a worker thread with a time limit: the HDF5 library loops forever on some
 * corrupt files (see src/node/hdf5-guard.ts).
 */
async function readSurfaceGuarded(bytes: Uint8Array, source: string, limits: ReadLimits) {
  const reader = createGuardedHdf5Reader({ timeoutMs: 10_000 });
  try {
    return await reader.read(bytes, source, limits);
  } finally {
    await reader.close();
  }
}

export const EXPORT_FORMATS = [
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
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which options make sense for which formats; any other combination is refused. */
const OPTION_FORMATS: Record<string, readonly ExportFormat[]> = {
  "--metric": ["vtk", "vtp", "obj", "glb", "png"],
  "--log": ["vtk", "vtp", "obj", "glb", "png"],
  "--height": ["obj", "glb"],
  "--colors": ["obj"],
  "--dir-file": ["hdf5"],
  "--arrays": ["json", "json.gz"],
};

/** Formats an imported reference surface (no model, data or directions) can go to. */
const SURFACE_ONLY_FORMATS: readonly ExportFormat[] = ["hdf5", "vtk", "vtp", "csv", "obj", "glb", "png"];

export interface ExportOptions {
  to: ExportFormat;
  out: string;
  metric?: string;
  log?: boolean;
  height?: "value" | "normalized";
  colors?: boolean;
  dirFile?: string;
  arrays?: "base64" | "plain";
  /** --read-memory (MB): the read limits of the input (read-limits.ts). */
  readMemory?: number;
}

/** Throws when an option is given for a format it does not apply to. */
function checkOptionsFit(o: ExportOptions): void {
  const given: Record<string, unknown> = {
    "--metric": o.metric,
    "--log": o.log || undefined,
    "--height": o.height,
    "--colors": o.colors || undefined,
    "--dir-file": o.dirFile,
    "--arrays": o.arrays,
  };
  for (const [option, value] of Object.entries(given)) {
    if (value !== undefined && !OPTION_FORMATS[option].includes(o.to)) {
      throw new Error(`${option} applies to --to ${OPTION_FORMATS[option].join(" or ")}, not ${o.to}`);
    }
  }
}

/** A snapshot, or a reference surface .h5 when the bytes (or the name) say HDF5, read within `limits`. */
export async function readExportInput(
  file: string,
  limits: ReadLimits,
): Promise<{ snapshot?: Snapshot; surface?: ImportedSurface }> {
  const bytes = await readInputFile(file, limits);
  if (inputKind(bytes, file) === "hdf5") {
    const surface = await readSurfaceGuarded(bytes, file, limits);
    for (const w of surface.warnings) process.stderr.write(`warning: ${w}\n`);
    return { surface };
  }
  return { snapshot: parseSnapshot(bytes, { source: file, limits }) };
}

/** The output's content, built completely before anything is written. */
async function render(
  input: { snapshot?: Snapshot; surface?: ImportedSurface },
  o: ExportOptions,
): Promise<Uint8Array | string> {
  const view = input.snapshot ?? (input.surface as ImportedSurface);
  switch (o.to) {
    case "hdf5":
      return surfaceToHdf5(await loadH5wasm(), view, { dirFile: o.dirFile });
    case "hdf5-directions":
      return directionsToHdf5(await loadH5wasm(), input.snapshot as Snapshot);
    case "vtk":
      return surfaceToVtk(view, { metric: o.metric, log: o.log });
    case "vtp":
      return surfaceToVtp(view, { metric: o.metric, log: o.log });
    case "csv":
      return surfaceToCsv(view);
    case "obj":
      return surfaceToObj(view, { metric: o.metric, log: o.log, height: o.height, colors: o.colors });
    case "glb":
      return surfaceToGlb(view, { metric: o.metric, log: o.log, height: o.height });
    case "png":
      return surfaceToPng(view, { metric: o.metric, log: o.log });
    case "json":
    case "json.gz":
      return serializeSnapshot(input.snapshot as Snapshot, { arrays: o.arrays, gzip: o.to === "json.gz" });
  }
}

/** export: snapshot (or reference surface .h5) -> one file in the chosen format. */
export async function exportCommand(file: string, o: ExportOptions): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.to)) {
    throw new Error(`--to must be one of ${EXPORT_FORMATS.join(", ")}, got ${o.to}`);
  }
  checkOptionsFit(o);
  const input = await readExportInput(file, cliReadLimits(o.readMemory));
  if (input.surface && !SURFACE_ONLY_FORMATS.includes(o.to)) {
    throw new Error(
      `${file} is an HDF5 surface file (no model, data or directions): it exports to ${SURFACE_ONLY_FORMATS.join(", ")}, not ${o.to}`,
    );
  }
  const content = await render(input, o);
  await writeFileAtomic(o.out, content, `${o.to} file`);
  const size = typeof content === "string" ? Buffer.byteLength(content) : content.byteLength;
  process.stdout.write(`wrote ${o.out} (${o.to}, ${size} bytes)\n`);
}

export interface ImportOptions {
  base: string;
  out: string;
  directions?: string;
  arrays: "base64" | "plain";
  /** --read-memory (MB): the read limits of the inputs (read-limits.ts). */
  readMemory?: number;
}

/**
 * import: a reference surface .h5 plus the snapshot whose model and data it was computed for (and
 * optionally the directions .h5 it used) -> a snapshot. A surface file alone holds no model or
 * data, so it cannot become a snapshot without --base.
 */
export async function importCommand(file: string, o: ImportOptions): Promise<void> {
  const limits = cliReadLimits(o.readMemory);
  const [bytes, base, directionBytes] = await Promise.all([
    readInputFile(file, limits),
    readSnapshotFile(o.base, { limits }),
    o.directions ? readInputFile(o.directions, limits) : Promise.resolve(undefined),
  ]);
  const lib = await loadH5wasm();
  const surface = await readSurfaceGuarded(bytes, file, limits);
  const directions =
    directionBytes && o.directions
      ? readHdf5Directions(lib, directionBytes, base.model.layout, { source: o.directions, limits })
      : undefined;
  const snapshot = snapshotWithImportedSurface(base, surface, { directions });
  for (const w of surface.warnings) process.stderr.write(`warning: ${w}\n`);
  await writeSnapshotFile(o.out, snapshot, { arrays: o.arrays });
  const names = Object.entries(surface.names)
    .map(([ours, theirs]) => (ours === theirs ? ours : `${theirs} -> ${ours}`))
    .join(", ");
  process.stdout.write(`wrote ${o.out} (surfaces ${names})\n`);
}

/** Adds `export` and `import` to the CLI. */
export function registerExportCommands(program: Command): void {
  program
    .command("export")
    .description(
      "write a snapshot (or a reference surface .h5) as HDF5 for the reference loss-landscape tool, VTK, CSV, OBJ, glTF binary, a PNG heatmap or JSON",
    )
    .argument("<file>", "snapshot (.json or .json.gz), or a surface .h5 in the reference layout")
    .requiredOption(
      "--to <format>",
      `output format: ${EXPORT_FORMATS.join(", ")}`,
      choice("--to", EXPORT_FORMATS),
    )
    .requiredOption("--out <file>", "file to write")
    .option("--metric <name>", "vtk, vtp, obj, glb, png: the surface to draw (default train_loss)")
    .option("--log", "vtk, vtp, obj, glb, png: plot ln(value + 0.1), as the reference tool's --log")
    .option(
      "--height <mode>",
      "obj, glb: vertex height, value or normalized (to [0, 1])",
      choice("--height", ["value", "normalized"] as const),
    )
    .option("--colors", "obj: add viridis vertex colours")
    .option("--dir-file <name>", "hdf5: the directions file's name, stored as dir_file")
    .option("--arrays <mode>", "json, json.gz: base64 (default) or plain", choice("--arrays", ARRAY_MODES))
    .addOption(readMemoryOption())
    .action(async (file: string, opts: ExportOptions) => {
      await exportCommand(file, opts);
    });

  program
    .command("import")
    .description(
      "make a snapshot from a reference-layout surface .h5 and the snapshot whose model and data it was computed for",
    )
    .argument("<file>", "surface .h5 (xcoordinates, ycoordinates, train_loss, train_acc, ...)")
    .requiredOption(
      "--base <snapshot>",
      "snapshot with the model, data and directions the surface belongs to",
    )
    .requiredOption("--out <file>", "snapshot to write (.json, or .json.gz for gzip)")
    .option("--directions <file>", "directions .h5 (xdirection, ydirection) to use instead of the base's")
    .addOption(arraysOption())
    .addOption(readMemoryOption())
    .action(async (file: string, opts: ImportOptions) => {
      await importCommand(file, opts);
    });
}
