/**
 * `landscape export SNAPSHOT --to FORMAT --out FILE` and `landscape import FILE.h5 --base SNAPSHOT
 * --out FILE`: the file formats, which options apply to each and their writers live in one
 * registry, src/core/export/formats.ts; this file only reads, checks options and writes. The input
 * of export may also be a reference-layout surface .h5 (an ImportedSurface, to the formats that
 * need only a surface). Output is built completely in memory and written atomically, so nothing
 * is written on any error.
 */
import { type Command, Option } from "commander";
import {
  type ImportedSurface,
  loadH5wasm,
  readHdf5Directions,
  snapshotWithImportedSurface,
} from "../core/export";
import { inputKind } from "../core/export/file-kind";
import {
  type ExportFormatSpec,
  type ExportOptionName,
  type ExportWriteOptions,
  exportFormats,
  formatsTaking,
  writeExport,
} from "../core/export/formats";
import { parseSnapshot } from "../core/snapshot/io";
import type { ReadLimits } from "../core/snapshot/limits";
import type { Snapshot } from "../core/snapshot/schema";
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

/**
 * The options that shape a format's output. Which formats each applies to is not written here:
 * the registry (src/core/export/formats.ts) says it, for the help text and for the check.
 */
const FORMAT_OPTIONS: readonly {
  name: ExportOptionName;
  flags: string;
  what: string;
  parse?: (value: string) => unknown;
}[] = [
  { name: "metric", flags: "--metric <name>", what: "the surface to draw (default train_loss)" },
  { name: "log", flags: "--log", what: "plot ln(value + 0.1), as the reference tool's --log" },
  {
    name: "height",
    flags: "--height <mode>",
    what: "vertex height, value or normalized (to [0, 1])",
    parse: choice("--height", ["value", "normalized"] as const),
  },
  { name: "colors", flags: "--colors", what: "add viridis vertex colours" },
  { name: "dirFile", flags: "--dir-file <name>", what: "the directions file's name, stored as dir_file" },
  {
    name: "arrays",
    flags: "--arrays <mode>",
    what: "base64 (default) or plain",
    parse: choice("--arrays", ARRAY_MODES),
  },
];

/** "--dir-file" of "--dir-file <name>". */
const flagOf = (flags: string) => flags.split(" ")[0];

interface ExportOptions extends ExportWriteOptions {
  /** A registered format's id (src/core/export/formats.ts). */
  to: string;
  out: string;
  /** --read-memory (MB): the read limits of the input (read-limits.ts). */
  readMemory?: number;
}

/** Throws when an option is given for a format it does not apply to. */
function checkOptionsFit(o: ExportOptions, format: ExportFormatSpec): void {
  for (const option of FORMAT_OPTIONS) {
    const value = o[option.name];
    if (value === undefined || value === false || format.options.includes(option.name)) continue;
    throw new Error(
      `${flagOf(option.flags)} applies to --to ${formatsTaking(option.name).join(" or ")}, not ${o.to}`,
    );
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

/** export: snapshot (or reference surface .h5) -> one file in the chosen format. */
export async function exportCommand(file: string, o: ExportOptions): Promise<void> {
  const format = exportFormats().find((f) => f.id === o.to);
  if (!format) {
    throw new Error(
      `--to must be one of ${exportFormats()
        .map((f) => f.id)
        .join(", ")}, got ${o.to}`,
    );
  }
  checkOptionsFit(o, format);
  const input = await readExportInput(file, cliReadLimits(o.readMemory));
  if (input.surface && format.needs !== "surface") {
    const surfaceOnly = exportFormats().filter((f) => f.needs === "surface");
    throw new Error(
      `${file} is an HDF5 surface file (no model, data or directions): it exports to ${surfaceOnly.map((f) => f.id).join(", ")}, not ${o.to}`,
    );
  }
  // The output is built completely before anything is written.
  const view = input.snapshot ?? (input.surface as ImportedSurface);
  const content = await writeExport(format, { view, snapshot: input.snapshot }, o, { hdf5: loadH5wasm });
  await writeFileAtomic(o.out, content, `${o.to} file`);
  const size = typeof content === "string" ? Buffer.byteLength(content) : content.byteLength;
  process.stdout.write(`wrote ${o.out} (${o.to}, ${size} bytes)\n`);
}

interface ImportOptions {
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
async function importCommand(file: string, o: ImportOptions): Promise<void> {
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
  // Read from the registry now, when the command is built: its choices and help list every format.
  const ids = exportFormats().map((f) => f.id);
  const command = program
    .command("export")
    .description("write a snapshot (or a reference surface .h5) in another file format, one of --to's")
    .argument("<file>", "snapshot (.json or .json.gz), or a surface .h5 in the reference layout")
    .requiredOption("--to <format>", `output format: ${ids.join(", ")}`, choice("--to", ids))
    .requiredOption("--out <file>", "file to write");
  for (const option of FORMAT_OPTIONS) {
    const added = new Option(option.flags, `${formatsTaking(option.name).join(", ")}: ${option.what}`);
    command.addOption(option.parse ? added.argParser(option.parse) : added);
  }
  command.addOption(readMemoryOption()).action(async (file: string, opts: ExportOptions) => {
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
