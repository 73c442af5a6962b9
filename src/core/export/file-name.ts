/**
 * Default file names of exports, made from a stem (a snapshot's dataset, architecture and time, or
 * an imported file's name) by a format's declarative naming, so that every export of one landscape
 * gets a different name without a per-format switch.
 *
 * @example exportFileName({ extension: ".vtk", naming: { metric: true } }, "moons-2-3-2", { metric: "test_loss" }); // "moons-2-3-2-test_loss.vtk"
 */

/** How a format names its file: stem, then "-metric", then suffix, then "-<scale>x", then the extension. */
export interface FileNaming {
  /** Exports of one surface name it (VTK, OBJ, ...): two metrics must not overwrite each other. */
  metric?: boolean;
  /** Fixed text after the stem, e.g. "-surface" (the surface and directions files are both .h5). */
  suffix?: string;
  /** Exports drawn at a multiple of the view's size name it, e.g. "-2x" (default 1). */
  scale?: boolean;
}

export interface FileNameOptions {
  /** The surface a one-surface export writes. */
  metric?: string;
  /** The multiple of the view's size of an image export. */
  scale?: number;
}

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

/** The default file name of an export of `format` from `stem`. */
export function exportFileName(
  format: { extension: string; naming?: FileNaming },
  stem: string,
  opts: FileNameOptions = {},
): string {
  const naming = format.naming ?? {};
  const metric = naming.metric && opts.metric ? `-${safeStem(opts.metric)}` : "";
  const scale = naming.scale ? `-${opts.scale ?? 1}x` : "";
  return `${stem}${metric}${naming.suffix ?? ""}${scale}${format.extension}`;
}
