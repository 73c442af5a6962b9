/**
 * The export menu's formats as plain data: what each writes, what it needs (a snapshot with its
 * model and directions, just a grid of surfaces, or the drawn 3D view), when it is unavailable
 * and why, and the file names. Pure functions: no DOM, no three, no HDF5.
 *
 * @example availability(formatById("glb"), { snapshot: true, surface: true, dims: 2, view: "surface" }); // null: available
 */

export type ExportFormatId =
  | "json.gz"
  | "json"
  | "hdf5"
  | "hdf5-directions"
  | "vtk"
  | "vtp"
  | "csv"
  | "obj"
  | "glb"
  | "png";

/**
 * What a format needs: "snapshot" a full snapshot (model, data, directions); "surface" a grid of
 * surfaces (a snapshot or an imported surface file); "view" the drawn 3D view; "mesh" the drawn
 * 3D surface of a 2-D landscape.
 */
export type ExportNeed = "snapshot" | "surface" | "view" | "mesh";

export interface ExportFormat {
  id: ExportFormatId;
  /** Menu label. */
  label: string;
  /** One line on what the file holds (the menu item's title). */
  description: string;
  needs: ExportNeed;
  mime: string;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  {
    id: "json.gz",
    label: "Snapshot (.json.gz)",
    description:
      "the whole snapshot, gzip-compressed: model, data, directions, grid, surfaces (importable here)",
    needs: "snapshot",
    mime: "application/gzip",
  },
  {
    id: "json",
    label: "Snapshot (.json)",
    description: "the whole snapshot as plain JSON (float arrays base64-encoded)",
    needs: "snapshot",
    mime: "application/json",
  },
  {
    id: "hdf5",
    label: "HDF5 surface (.h5)",
    description:
      "surface file in the layout of tomgoldstein/loss-landscape: xcoordinates, ycoordinates, train_loss, train_acc (percent), ...",
    needs: "surface",
    mime: "application/x-hdf5",
  },
  {
    id: "hdf5-directions",
    label: "HDF5 directions (.h5)",
    description:
      "directions file in the reference layout: xdirection/ydirection, one dataset per tensor in PyTorch order",
    needs: "snapshot",
    mime: "application/x-hdf5",
  },
  {
    id: "vtk",
    label: "VTK (.vtk)",
    description:
      "legacy VTK PolyData of the shown surface (ParaView, VisIt): points (x, y, value), quads, scalars",
    needs: "surface",
    mime: "text/plain",
  },
  {
    id: "vtp",
    label: "VTK XML (.vtp)",
    description:
      "VTK XML PolyData of the shown surface, as the reference tool's h52vtp.py writes (ParaView): points, quads, zvalue",
    needs: "surface",
    mime: "application/xml",
  },
  {
    id: "csv",
    label: "CSV (.csv)",
    description: "one row per grid point: x, y and every surface (accuracies as fractions)",
    needs: "surface",
    mime: "text/csv",
  },
  {
    id: "obj",
    label: "OBJ (.obj)",
    description: "Wavefront OBJ mesh of the shown surface with viridis vertex colours (Blender, MeshLab)",
    needs: "surface",
    mime: "model/obj",
  },
  {
    id: "glb",
    label: "glTF binary (.glb)",
    description: "the 3D surface as drawn, with its colours (one vertex per grid point)",
    needs: "mesh",
    mime: "model/gltf-binary",
  },
  {
    id: "png",
    label: "PNG image (.png)",
    description: "the 3D view as drawn, at the chosen resolution (without the HTML labels and legend)",
    needs: "view",
    mime: "image/png",
  },
];

/** The format with this id (throws for an unknown id). */
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
  switch (format.needs) {
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

/** PNG sizes offered: multiples of the 3D view's size on screen (CSS pixels). */
export const PNG_SCALES = [1, 2, 4] as const;
export type PngScale = (typeof PNG_SCALES)[number];

/**
 * A file-name stem from free text (a dataset or a file name): letters, digits, "_", "-" and "."
 * kept, every other run of characters becomes one "_", at most 60 characters; "landscape" when
 * nothing is left. A known extension (.h5, .hdf5, .json, .json.gz) is dropped first.
 *
 * @example safeStem("resnet56 sgd.h5"); // "resnet56_sgd"
 */
export function safeStem(text: string): string {
  const bare = text.replace(/\.(h5|hdf5|he5|json\.gz|json|gz)$/i, "");
  const safe = bare
    .replace(/[^a-z0-9_.-]+/gi, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^[._]+|[._]+$/g, "")
    .slice(0, 60);
  return safe || "landscape";
}

/**
 * The downloaded file's name: `stem` plus what distinguishes the format. Exports of one surface
 * (VTK, VTP, OBJ, glTF, PNG) name the metric; the PNG its scale.
 *
 * @example exportFileName("spirals-2-32-32-2-20261127-1012", "vtk", { metric: "train_loss" }); // "spirals-2-32-32-2-20261127-1012-train_loss.vtk"
 */
export function exportFileName(
  stem: string,
  format: ExportFormatId,
  opts: { metric?: string; pngScale?: number } = {},
): string {
  const metric = opts.metric ? `-${safeStem(opts.metric)}` : "";
  switch (format) {
    case "json.gz":
      return `${stem}.json.gz`;
    case "json":
      return `${stem}.json`;
    case "hdf5":
      return `${stem}-surface.h5`;
    case "hdf5-directions":
      return `${stem}-directions.h5`;
    case "vtk":
      return `${stem}${metric}.vtk`;
    case "vtp":
      return `${stem}${metric}.vtp`;
    case "csv":
      return `${stem}.csv`;
    case "obj":
      return `${stem}${metric}.obj`;
    case "glb":
      return `${stem}${metric}.glb`;
    case "png":
      return `${stem}${metric}-${opts.pngScale ?? 1}x.png`;
  }
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
