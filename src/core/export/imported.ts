/**
 * A landscape read from another tool's file. The reference tool's surface file holds the grid and
 * the surfaces but not the model, the data or the directions' values, so it cannot be a Snapshot
 * on its own (the format requires model, data and directions, and every number must be
 * recomputable). It is an ImportedSurface instead: a SurfaceView the app can draw as it is, without
 * recomputing (the app integration shows it as an imported, read-only landscape), and that the
 * text exports accept. Given the snapshot whose model, data and directions produced it,
 * snapshotWithImportedSurface makes a full Snapshot.
 *
 * @example const s = snapshotWithImportedSurface(base, readHdf5Surface(lib, bytes, { source: "run.h5" }));
 */
import { PRODUCER_NAME, PRODUCER_VERSION } from "../producer";
import {
  DIRECTION_BIAS,
  DIRECTION_NORMALIZATIONS,
  type Snapshot,
  type SnapshotAxis,
  type SnapshotDirection,
} from "../snapshot/schema";
import { reviewSnapshot } from "../snapshot/semantics";
import { SnapshotError } from "../snapshot/validate";
import type { SurfaceView } from "./surface-view";

export const IMPORTED_SURFACE_KIND = "imported-surface";
/** How imports name the reference tool's HDF5 layout. */
export const REFERENCE_HDF5_FORMAT = "tomgoldstein/loss-landscape HDF5";

export interface ImportedSurface extends SurfaceView {
  kind: typeof IMPORTED_SURFACE_KIND;
  format: typeof REFERENCE_HDF5_FORMAT;
  /** The file it was read from (as given to the reader). */
  source: string;
  /** Axes "x" (and "y"), uniform like ours: coordinate k is min + k (max - min) / (count - 1). */
  grid: { axes: SnapshotAxis[] };
  /** The coordinates exactly as stored, one array per axis. */
  coordinates: Float64Array[];
  /** Our names and units: row-major, x fastest; accuracies as fractions in [0, 1]; -1 marks became NaN. */
  surfaces: Record<string, Float32Array>;
  /** Our surface name -> the dataset it was read from, e.g. { train_accuracy: "train_acc" }. */
  names: Record<string, string>;
  /** The file's dir_file dataset: the name of its directions file, if stored. */
  dirFile?: string;
  /** String attributes of the file's root group (our exports write producer and normalization there). */
  attributes: Record<string, string>;
  /** Things worth knowing that did not prevent the import (skipped datasets, uncomputed points). */
  warnings: string[];
}

/** One direction read from a reference directions file, flat in our layout's order. */
export interface ImportedDirection {
  /** "x" or "y". */
  label: string;
  values: Float32Array;
  /** String attributes of its group (our exports write method, normalization, bias, seed). */
  attributes: Record<string, string>;
}

export interface ImportedDirections {
  format: typeof REFERENCE_HDF5_FORMAT;
  source: string;
  directions: ImportedDirection[];
}

export interface MergeOptions {
  /** Directions read from the directions file that produced the surface; default: the snapshot's own. */
  directions?: ImportedDirections;
  /** ISO date-time of the new snapshot (default now). */
  createdAt?: string;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return (allowed as readonly string[]).includes(value ?? "") ? (value as T) : undefined;
}

/** A snapshot direction from an imported one: its attributes when they are ours, else "imported". */
function snapshotDirection(d: ImportedDirection): SnapshotDirection {
  const seed = Number(d.attributes.seed);
  return {
    label: d.label,
    method: d.attributes.method || "imported",
    normalization: oneOf(DIRECTION_NORMALIZATIONS, d.attributes.normalization) ?? "none",
    bias: oneOf(DIRECTION_BIAS, d.attributes.bias) ?? "include",
    ...(d.attributes.seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
    values: d.values,
  };
}

/**
 * A full Snapshot: `base`'s model and data (and, unless `opts.directions` is given, its
 * directions) with the imported grid and surfaces. Records where the surfaces came from in a
 * top-level `imported` section and drops `base.trajectory` when the directions are replaced (it
 * was projected onto the old ones). Throws an Error when the axes do not match the directions, and
 * a SnapshotError listing the problems when the result is not a valid snapshot (e.g. the imported
 * directions do not fit the model's parameter count).
 *
 * @example snapshotWithImportedSurface(base, surface, { directions: readHdf5Directions(lib, dirBytes, base.model.layout) });
 */
export function snapshotWithImportedSurface(
  base: Snapshot,
  imported: ImportedSurface,
  opts: MergeOptions = {},
): Snapshot {
  const directions = opts.directions ? opts.directions.directions.map(snapshotDirection) : base.directions;
  const axes = imported.grid.axes;
  if (axes.length !== directions.length) {
    const from = opts.directions ? `the directions file ${opts.directions.source}` : "the snapshot";
    throw new Error(
      `${imported.source} has ${axes.length} grid ${axes.length === 1 ? "axis" : "axes"} but ${from} has ` +
        `${directions.length} direction${directions.length === 1 ? "" : "s"}; they must match`,
    );
  }
  const { trajectory, ...rest } = base;
  const merged: Snapshot = {
    ...rest,
    ...(opts.directions || trajectory === undefined ? {} : { trajectory }),
    createdAt: opts.createdAt ?? new Date().toISOString(),
    directions,
    grid: { axes: axes.map((a) => ({ ...a })) },
    surfaces: { ...imported.surfaces },
    imported: {
      format: imported.format,
      surfaces: imported.source,
      datasets: imported.names,
      directions: opts.directions ? opts.directions.source : "from the base snapshot",
      by: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
      note:
        "surfaces computed outside this program for this model, data and directions; " +
        "`landscape compute --from` with the same grid recomputes them",
    },
  };
  const { problems } = reviewSnapshot(merged);
  if (problems.length > 0) throw new SnapshotError(problems, `snapshot from ${imported.source}`);
  return merged;
}
