/**
 * One file per export format, from what is on screen: a complete snapshot (computed or imported),
 * or a surface file imported from the reference tool (grid and surfaces only). A format is written
 * here by its writer in the registry (src/core/export/formats.ts), the one `landscape export` uses,
 * unless the app builds it its own way: the snapshot itself in the snapshot worker
 * (src/compute/snapshot-io-bridge.ts), HDF5 in a throwaway worker (src/compute/hdf5-bridge.ts),
 * the glTF and PNG from the drawn 3D view.
 *
 * @example const { blob, name } = await buildExport("vtk", exportSourceOf(state), { metric: "train_loss" });
 */
import { writeDirectionsInWorker, writeSurfaceInWorker } from "../../compute/hdf5-bridge";
import { writeExport } from "../../core/export/formats";
import type { SurfaceExportSource } from "../../core/export/hdf5-surface";
import { surfaceNames } from "../../core/export/surface-view";
import { gridPointCount } from "../../core/landscape/grid";
import type { Snapshot } from "../../core/snapshot/schema";
import { CURRENT_VIEW, sceneHandle } from "../../scene/export-registry";
import type { ImportedLandscapeView, LandscapeView } from "../../state/types";
import {
  type DRAWN_FORMATS,
  type ExportFormat,
  type ExportFormatId,
  exportFileName,
  exportMetric,
  formatById,
  safeStem,
} from "./export-formats";
import { surfaceGlb, viewPng } from "./scene-export";
import { snapshotBlob, snapshotStem } from "./snapshot-files";

/** What the exports read: a snapshot, or an imported surface file. */
export type ExportSource =
  | { kind: "snapshot"; snapshot: Snapshot; stem: string }
  | { kind: "imported-surface"; view: ImportedLandscapeView; stem: string };

/** The export source on screen: the complete landscape, else the imported surface, else null. */
export function exportSourceOf(state: {
  landscape: LandscapeView | null;
  imported: ImportedLandscapeView | null;
}): ExportSource | null {
  const { landscape, imported } = state;
  if (landscape) {
    if (landscape.done < gridPointCount(landscape.snapshot.grid)) return null;
    return { kind: "snapshot", snapshot: landscape.snapshot, stem: snapshotStem(landscape.snapshot) };
  }
  if (imported) return { kind: "imported-surface", view: imported, stem: safeStem(imported.snapshot.source) };
  return null;
}

/** What the HDF5 surface writer needs, without the model and data (they would only be copied to the worker). */
function surfaceSource(source: ExportSource): SurfaceExportSource {
  if (source.kind === "imported-surface") {
    const s = source.view.snapshot;
    return { grid: s.grid, surfaces: s.surfaces };
  }
  const s = source.snapshot;
  return {
    grid: { axes: s.grid.axes.map((a) => ({ label: a.label, min: a.min, max: a.max, count: a.count })) },
    surfaces: s.surfaces,
    producer: { name: s.producer.name, version: s.producer.version, backend: s.producer.backend },
    directions: s.directions.map((d) => ({
      label: d.label,
      method: d.method,
      normalization: d.normalization,
      bias: d.bias,
    })),
  };
}

function needSnapshot(source: ExportSource, what: string): Snapshot {
  if (source.kind !== "snapshot") {
    throw new Error(
      `${what} needs a snapshot; ${source.view.snapshot.source} is a surface file without model, data or directions`,
    );
  }
  return source.snapshot;
}

interface ExportChoices {
  /** The metric shown (VTK, VTP, OBJ, glTF and PNG file names; VTK, VTP and OBJ write it). */
  metric: string;
  /** PNG: multiple of the 3D view's on-screen size. */
  pngScale?: number;
}

interface BuiltExport {
  blob: Blob;
  name: string;
  /** Something worth saying about the file (e.g. the PNG was made smaller than asked). */
  note?: string;
}

/** What a builder hands back: the file, and maybe a note; buildExport adds the name. */
type Built = Omit<BuiltExport, "name">;

interface BuildArgs {
  source: ExportSource;
  /** The surfaces shown: the snapshot, or the imported surface file's. */
  view: SurfaceExportSource;
  format: ExportFormat;
  /** The metric the file writes (exportMetric of the shown one). */
  metric: string | undefined;
  choices: ExportChoices;
}

const bytesBlob = (content: Uint8Array | ArrayBuffer | string, format: ExportFormat) =>
  new Blob([content as BlobPart], { type: format.mime });

/** The formats drawn from the 3D view: one builder for each of DRAWN_FORMATS. */
const DRAWN_BUILDERS: Record<keyof typeof DRAWN_FORMATS, (a: BuildArgs) => Promise<Built>> = {
  glb: async ({ format }) => ({
    blob: bytesBlob(await surfaceGlb(sceneHandle(CURRENT_VIEW)), format),
  }),
  png: async ({ choices }) => {
    const png = await viewPng(sceneHandle(CURRENT_VIEW), choices.pngScale ?? 1);
    const note = png.limited
      ? `the image was made ${png.width} x ${png.height} pixels, the largest this GPU draws`
      : undefined;
    return { blob: png.blob, ...(note ? { note } : {}) };
  },
};

/**
 * Formats written in a worker, so that the page never stalls and h5wasm (4 MB) stays out of the
 * main bundle: the snapshot in the snapshot worker, HDF5 in a throwaway worker.
 */
const WORKER_BUILDERS: Record<string, (a: BuildArgs) => Promise<Built>> = {
  "json.gz": async ({ source }) => ({
    blob: await snapshotBlob(needSnapshot(source, "a snapshot export"), true),
  }),
  json: async ({ source }) => ({
    blob: await snapshotBlob(needSnapshot(source, "a snapshot export"), false),
  }),
  hdf5: async ({ source, format }) => {
    // Like plot_surface.py, the surface file names its directions file (the one the menu writes).
    const dirFile =
      source.kind === "snapshot"
        ? exportFileName(source.stem, "hdf5-directions")
        : source.view.snapshot.dirFile;
    const bytes = await writeSurfaceInWorker(surfaceSource(source), dirFile === undefined ? {} : { dirFile });
    return { blob: bytesBlob(bytes, format) };
  },
  "hdf5-directions": async ({ source, format }) => {
    const s = needSnapshot(source, "a directions file");
    const bytes = await writeDirectionsInWorker({
      model: { layout: s.model.layout },
      directions: s.directions,
    });
    return { blob: bytesBlob(bytes, format) };
  },
};

/**
 * Any other format, a newly registered one included: the registry's writer, here, with the app's
 * choices (the metric shown; colours, which the app's OBJ always has). The writer takes only the
 * options its format lists.
 */
async function withRegistryWriter({ source, view, format, metric }: BuildArgs): Promise<Built> {
  if (format.needs === "snapshot") needSnapshot(source, `a ${format.id} file`);
  const snapshot = source.kind === "snapshot" ? source.snapshot : undefined;
  const content = await writeExport(format, { view, snapshot }, { metric, colors: true });
  return { blob: bytesBlob(content, format) };
}

const APP_BUILDERS: Readonly<Record<string, (a: BuildArgs) => Promise<Built>>> = {
  ...WORKER_BUILDERS,
  ...DRAWN_BUILDERS,
};

/** The file of one format. Throws an Error saying what is missing or what failed. */
export async function buildExport(
  id: ExportFormatId,
  source: ExportSource,
  choices: ExportChoices,
): Promise<BuiltExport> {
  const format = formatById(id);
  const view = source.kind === "snapshot" ? source.snapshot : source.view.snapshot;
  const metric = exportMetric(choices.metric, surfaceNames(view));
  const name = exportFileName(source.stem, id, { metric, pngScale: choices.pngScale });
  const build = Object.hasOwn(APP_BUILDERS, id) ? APP_BUILDERS[id] : withRegistryWriter;
  return { ...(await build({ source, view, format, metric, choices })), name };
}
