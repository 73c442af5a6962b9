/**
 * The export menu as plain data, read from the one format registry (src/core/export/formats.ts):
 * the formats in menu order, when each is unavailable and why, and the file names. Pure
 * functions: no DOM, no three, no HDF5.
 *
 * @example availability(formatById("glb"), { snapshot: true, surface: true, dims: 2, view: "surface" }); // null: available
 */
import { exportFileName as fileNameOf, safeStem } from "../../core/export/file-name";
import { type ExportFormatSpec, exportFormats, onExportFormatsChange } from "../../core/export/formats";

export { safeStem };

/** A registered format's id (any format of the registry, e.g. "vtk"). */
export type ExportFormatId = string;
export type ExportFormat = ExportFormatSpec;

/**
 * What a format needs in the app: the registry's "snapshot" (model, data, directions) or
 * "surface" (a grid of surfaces), or, for the formats the app writes from the drawn 3D view,
 * "view" that view, "mesh" the drawn 3D surface of a 2-D landscape.
 */
export type ExportNeed = ExportFormatSpec["needs"] | "view" | "mesh";

/**
 * The formats the app writes from the drawn 3D view (src/app/io/scene-export.ts), so that the file
 * is what is seen (its colours, exaggeration, camera), instead of with the registry's writer,
 * which draws its own mesh or heatmap for the CLI. exporters.ts has one builder for each.
 */
export const DRAWN_FORMATS = { glb: "mesh", png: "view" } as const satisfies Record<string, ExportNeed>;

/** What `format` needs here: its drawn-view need, else the registry's. */
function exportNeed(format: ExportFormat): ExportNeed {
  return DRAWN_FORMATS[format.id as keyof typeof DRAWN_FORMATS] ?? format.needs;
}

/** The registry's formats in menu order: ranked ones first (the app's own snapshot files), then list order. */
function menuFormats(): readonly ExportFormat[] {
  const rank = (f: ExportFormat) => f.menuRank ?? Number.POSITIVE_INFINITY;
  return [...exportFormats()].sort((a, b) => rank(a) - rank(b));
}

/**
 * Every format in menu order. Reassigned when the registry changes, so that importers (a live
 * binding) see a format registered after this module was loaded.
 */
export let EXPORT_FORMATS: readonly ExportFormat[] = menuFormats();
onExportFormatsChange(() => {
  EXPORT_FORMATS = menuFormats();
});

/** The format with this id (throws for an unknown id, listing the known ones in menu order). */
export function formatById(id: string): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f.id === id);
  if (!format)
    throw new Error(
      `unknown export format "${id}"; expected one of ${EXPORT_FORMATS.map((f) => f.id).join(", ")}`,
    );
  return format;
}

/** What is on screen, as far as the exports care. */
export interface ExportContext {
  /** A complete snapshot (computed or imported) is shown. */
  snapshot: boolean;
  /** A grid of surfaces is shown (a complete snapshot, or an imported surface file). */
  surface: boolean;
  /** Grid axes of what is shown (0 when nothing is). */
  dims: number;
  /** The current 3D view: "surface" (a 2-D landscape drawn), "curve" (1-D), or "none" (not mounted). */
  view: "surface" | "curve" | "none";
  /** A landscape is still being computed. */
  busy?: boolean;
}

/** Why `format` cannot be exported now, or null when it can. */
export function availability(format: ExportFormat, ctx: ExportContext): string | null {
  if (ctx.busy) return "wait until the landscape is complete";
  if (!ctx.surface) return "no landscape yet";
  switch (exportNeed(format)) {
    case "snapshot":
      return ctx.snapshot ? null : "an imported surface file has no model, data or directions";
    case "surface":
      return null;
    case "view":
      return ctx.view === "none" ? "open the 3D surface tab" : null;
    case "mesh":
      if (ctx.dims !== 2) return "a 1-D landscape has no surface mesh";
      return ctx.view === "surface" ? null : "open the 3D surface tab";
  }
}

/** One item of the export menu: the format, and why it is greyed out (null: it is not). */
interface ExportMenuItem {
  format: ExportFormat;
  reason: string | null;
}

/**
 * The export menu for what is on screen: every registered format in menu order, each with its
 * reason to be unavailable.
 *
 * @example exportMenu({ snapshot: false, surface: false, dims: 0, view: "none" })[0].reason; // "no landscape yet"
 */
export function exportMenu(ctx: ExportContext): ExportMenuItem[] {
  return EXPORT_FORMATS.map((format) => ({ format, reason: availability(format, ctx) }));
}

/** PNG sizes offered: multiples of the 3D view's size on screen (CSS pixels). */
export const PNG_SCALES = [1, 2, 4] as const;
export type PngScale = (typeof PNG_SCALES)[number];

/**
 * The downloaded file's name: `stem` plus what distinguishes the format (the registry's naming).
 * Exports of one surface (VTK, VTP, OBJ, glTF, PNG) name the metric; the PNG its scale.
 *
 * @example exportFileName("spirals-2-32-32-2-20261127-1012", "vtk", { metric: "train_loss" }); // "spirals-2-32-32-2-20261127-1012-train_loss.vtk"
 */
export function exportFileName(
  stem: string,
  format: ExportFormatId,
  opts: { metric?: string; pngScale?: number } = {},
): string {
  return fileNameOf(formatById(format), stem, { metric: opts.metric, scale: opts.pngScale });
}

/**
 * The metric a single-surface export (VTK, OBJ) writes: the one shown when the source has it,
 * else train_loss, else the first surface.
 */
export function exportMetric(shown: string, surfaceNames: readonly string[]): string | undefined {
  if (surfaceNames.includes(shown)) return shown;
  if (surfaceNames.includes("train_loss")) return "train_loss";
  return surfaceNames[0];
}
