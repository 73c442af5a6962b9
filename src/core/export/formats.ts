/**
 * The export formats: the one list that `landscape export --to` (its choices, help and checks)
 * and the app's export menu both read. Adding a format is a writer file plus one entry in
 * BUILT_IN; nothing else lists formats. Writer modules are imported when they run, so reading
 * the list (the CLI's help, the app's menu) loads none of them.
 *
 * @example const csv = await writeExport(exportFormat("csv"), { view: snapshot }); // "x,y,train_loss,..."
 */
import type { ArrayEncoding } from "../snapshot/arrays";
import { serializeSnapshot } from "../snapshot/io";
import type { Snapshot } from "../snapshot/schema";
import type { FileNaming } from "./file-name";
import type { H5Lib } from "./h5";
import type { SurfaceExportSource } from "./hdf5-surface";

/**
 * What a format needs: "snapshot" a full snapshot (model, data, directions); "surface" only a grid
 * of surfaces, which an imported reference surface .h5 has too.
 */
export type ExportNeed = "snapshot" | "surface";

/** The options a writer may take; each format says which apply to it (the CLI refuses the rest). */
export interface ExportWriteOptions {
  /** The surface a one-surface export draws (default train_loss). */
  metric?: string;
  /** Plot ln(value + 0.1), as the reference tool's --log. */
  log?: boolean;
  /** Vertex height: the plotted value, or that rescaled to [0, 1]. */
  height?: "value" | "normalized";
  /** Viridis vertex colours. */
  colors?: boolean;
  /** The directions file's name, stored in a surface file as dir_file. */
  dirFile?: string;
  /** The float arrays of a snapshot: base64 or plain JSON numbers. */
  arrays?: ArrayEncoding;
}
export type ExportOptionName = keyof ExportWriteOptions;

/** What is exported: the surfaces to draw, and the snapshot they belong to when there is one. */
export interface ExportInput {
  /** A Snapshot, or an imported surface (grid and surfaces only). */
  view: SurfaceExportSource;
  snapshot?: Snapshot;
}

export type ExportContent = Uint8Array | string;

/**
 * What some writers need from their host, passed in as core's HDF5 functions take their H5Lib:
 * the CLI gives loadH5wasm; the app writes HDF5 in a worker and gives none, so h5wasm never
 * becomes part of the page.
 */
export interface ExportEnvironment {
  hdf5?: () => Promise<H5Lib>;
}

export interface ExportFormatSpec {
  /** The value of `--to`, and the app's test id `export-<id>`. */
  id: string;
  /** The app's menu label. */
  label: string;
  /** One line on what the file holds (the menu item's title). */
  description: string;
  /** With the dot, e.g. ".vtk". */
  extension: string;
  mime: string;
  needs: ExportNeed;
  /** The options that apply, in no particular order. */
  options: readonly ExportOptionName[];
  /** How the default file name is made from a stem (file-name.ts); plain stem + extension if absent. */
  naming?: FileNaming;
  /** Place at the top of the app's menu (lowest first); unranked formats follow in list order. */
  menuRank?: number;
  /** The file's content; gets only the options the format lists. */
  write(input: ExportInput, options: ExportWriteOptions, env: ExportEnvironment): Promise<ExportContent>;
}

/** The HDF5 library the host gave; throws when it gave none. */
function hdf5Of(env: ExportEnvironment): Promise<H5Lib> {
  if (!env.hdf5) throw new Error("this export writes HDF5: pass an HDF5 library (env.hdf5, e.g. loadH5wasm)");
  return env.hdf5();
}

/** The snapshot of a "snapshot" format's input (writeExport has checked it is there). */
function snapshotOf(input: ExportInput): Snapshot {
  if (!input.snapshot) throw new Error("this export needs a snapshot (model, data and directions)");
  return input.snapshot;
}

const json = (gzip: boolean) => async (input: ExportInput, o: ExportWriteOptions) =>
  serializeSnapshot(snapshotOf(input), { arrays: o.arrays, gzip });

/** In the CLI's order (conversions first, the snapshot's own files last). */
const BUILT_IN: readonly ExportFormatSpec[] = [
  {
    id: "hdf5",
    label: "HDF5 surface (.h5)",
    description:
      "surface file in the layout of tomgoldstein/loss-landscape: xcoordinates, ycoordinates, train_loss, train_acc (percent), ...",
    extension: ".h5",
    mime: "application/x-hdf5",
    needs: "surface",
    options: ["dirFile"],
    naming: { suffix: "-surface" },
    write: async (i, o, env) => (await import("./hdf5-surface")).surfaceToHdf5(await hdf5Of(env), i.view, o),
  },
  {
    id: "hdf5-directions",
    label: "HDF5 directions (.h5)",
    description:
      "directions file in the reference layout: xdirection/ydirection, one dataset per tensor in PyTorch order",
    extension: ".h5",
    mime: "application/x-hdf5",
    needs: "snapshot",
    options: [],
    naming: { suffix: "-directions" },
    write: async (i, _, env) =>
      (await import("./hdf5-directions")).directionsToHdf5(await hdf5Of(env), snapshotOf(i)),
  },
  {
    id: "vtk",
    label: "VTK (.vtk)",
    description:
      "legacy VTK PolyData of the shown surface (ParaView, VisIt): points (x, y, value), quads, scalars",
    extension: ".vtk",
    mime: "text/plain",
    needs: "surface",
    options: ["metric", "log"],
    naming: { metric: true },
    write: async (i, o) => (await import("./vtk")).surfaceToVtk(i.view, o),
  },
  {
    id: "vtp",
    label: "VTK XML (.vtp)",
    description:
      "VTK XML PolyData of the shown surface, as the reference tool's h52vtp.py writes (ParaView): points, quads, zvalue",
    extension: ".vtp",
    mime: "application/xml",
    needs: "surface",
    options: ["metric", "log"],
    naming: { metric: true },
    write: async (i, o) => (await import("./vtp")).surfaceToVtp(i.view, o),
  },
  {
    id: "csv",
    label: "CSV (.csv)",
    description: "one row per grid point: x, y and every surface (accuracies as fractions)",
    extension: ".csv",
    mime: "text/csv",
    needs: "surface",
    options: [],
    write: async (i) => (await import("./csv")).surfaceToCsv(i.view),
  },
  {
    id: "obj",
    label: "OBJ (.obj)",
    description: "Wavefront OBJ mesh of the shown surface with viridis vertex colours (Blender, MeshLab)",
    extension: ".obj",
    mime: "model/obj",
    needs: "surface",
    options: ["metric", "log", "height", "colors"],
    naming: { metric: true },
    write: async (i, o) => (await import("./obj")).surfaceToObj(i.view, o),
  },
  {
    id: "glb",
    label: "glTF binary (.glb)",
    description: "the 3D surface as drawn, with its colours (one vertex per grid point)",
    extension: ".glb",
    mime: "model/gltf-binary",
    needs: "surface",
    options: ["metric", "log", "height"],
    naming: { metric: true },
    write: async (i, o) => (await import("./glb")).surfaceToGlb(i.view, o),
  },
  {
    id: "png",
    label: "PNG image (.png)",
    description: "the 3D view as drawn, at the chosen resolution (without the HTML labels and legend)",
    extension: ".png",
    mime: "image/png",
    needs: "surface",
    options: ["metric", "log"],
    naming: { metric: true, scale: true },
    write: async (i, o) => (await import("./png")).surfaceToPng(i.view, o),
  },
  {
    id: "json",
    label: "Snapshot (.json)",
    description: "the whole snapshot as plain JSON (float arrays base64-encoded)",
    extension: ".json",
    mime: "application/json",
    needs: "snapshot",
    options: ["arrays"],
    menuRank: 1,
    write: json(false),
  },
  {
    id: "json.gz",
    label: "Snapshot (.json.gz)",
    description:
      "the whole snapshot, gzip-compressed: model, data, directions, grid, surfaces (importable here)",
    extension: ".json.gz",
    mime: "application/gzip",
    needs: "snapshot",
    options: ["arrays"],
    menuRank: 0,
    write: json(true),
  },
];

const registry: ExportFormatSpec[] = [...BUILT_IN];
const listeners = new Set<() => void>();

/** Every format, in list order (the CLI's); the array is live: registrations show in it. */
export function exportFormats(): readonly ExportFormatSpec[] {
  return registry;
}

/** The ids of the formats that take `option`, in list order, e.g. ["obj", "glb"] for "height". */
export function formatsTaking(option: ExportOptionName): string[] {
  return registry.filter((f) => f.options.includes(option)).map((f) => f.id);
}

/** The format with this id; throws, listing the ids, for an unknown one. */
export function exportFormat(id: string): ExportFormatSpec {
  const format = registry.find((f) => f.id === id);
  if (!format) {
    throw new Error(`unknown export format "${id}"; expected one of ${registry.map((f) => f.id).join(", ")}`);
  }
  return format;
}

/**
 * Adds a format at the end of the list (a plug-in, or a test's fixture); returns the function
 * that removes it again. Throws when the id is taken.
 */
export function registerExportFormat(format: ExportFormatSpec): () => void {
  if (registry.some((f) => f.id === format.id)) {
    throw new Error(`export format "${format.id}" is registered already`);
  }
  registry.push(format);
  for (const listener of listeners) listener();
  return () => {
    const at = registry.indexOf(format);
    if (at < 0) return;
    registry.splice(at, 1);
    for (const listener of listeners) listener();
  };
}

/** Calls `listener` after every change of the list (the app's menu keeps its order in step). */
export function onExportFormatsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The file of `format` from `input`. The writer sees only the options the format lists, so one
 * set of choices (the app's, say) can go to every format. Throws when a "snapshot" format gets
 * only a surface, or an HDF5 format no `env.hdf5`.
 */
export async function writeExport(
  format: ExportFormatSpec,
  input: ExportInput,
  options: ExportWriteOptions = {},
  env: ExportEnvironment = {},
): Promise<ExportContent> {
  if (format.needs === "snapshot" && !input.snapshot) {
    throw new Error(`${format.id} needs a snapshot; a surface file has no model, data or directions`);
  }
  const picked: Record<string, unknown> = {};
  for (const name of format.options) if (options[name] !== undefined) picked[name] = options[name];
  return format.write(input, picked as ExportWriteOptions, env);
}
