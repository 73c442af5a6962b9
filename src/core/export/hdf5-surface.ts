/**
 * Surface files in the reference tool's HDF5 layout (reference.ts has the layout and where it
 * comes from): write one from a snapshot, read one (ours or the reference tool's) into an
 * ImportedSurface.
 *
 * Written: xcoordinates [nx] and, for 2-D, ycoordinates [ny] (float64); train_loss, train_acc,
 * test_loss, test_acc as present (float64, shape [ny, nx] or [nx]; accuracies x 100, in percent,
 * with a `units` attribute "percent"); other surfaces under their own names and units; dir_file
 * when given. Root attributes (ignored by the reference scripts) record the producer and the
 * directions' method, normalization and bias.
 *
 * A 1-D landscape without accuracies (regression: accuracy is undefined) also gets `train_acc`
 * (and `test_acc` beside a `test_loss`) full of NaN, with the attribute `accuracy: "undefined"`:
 * the reference tool's plot_1D.py reads train_acc unconditionally (KeyError without it) and then
 * plots the loss as usual; matplotlib leaves the NaN accuracy curve empty. readHdf5Surface skips
 * such a placeholder (and any accuracy that holds no number at all), so it never reads back as data.
 *
 * @example const bytes = surfaceToHdf5(await loadH5wasm(), snapshot, { dirFile: "spirals.directions.h5" });
 */
import { PRODUCER_NAME, PRODUCER_VERSION } from "../producer";
import { REFUSED_KEYS } from "../snapshot/json-limits";
import {
  DEFAULT_READ_LIMITS,
  limitHint,
  memoryForData,
  ReadLimitError,
  type ReadLimits,
  sizeText,
} from "../snapshot/limits";
import type { SnapshotAxis } from "../snapshot/schema";
import { axisCoordinate } from "../snapshot/summary";
import {
  checkDatasetSize,
  datasetText,
  declaredBytes,
  declaredValues,
  describeDtype,
  type H5Dataset,
  type H5File,
  type H5Lib,
  H5T_FLOAT,
  readFloatDataset,
  readH5,
  stringAttribute,
  writeH5,
} from "./h5";
import { IMPORTED_SURFACE_KIND, type ImportedSurface, REFERENCE_HDF5_FORMAT } from "./imported";
import {
  ourSurfaceName,
  REFERENCE_DIRECTION_GROUPS,
  REFERENCE_NON_SURFACES,
  REFERENCE_SURFACES,
  REFERENCE_UNCOMPUTED,
  referenceSurfaceName,
} from "./reference";
import { axisValues, checkSurfaceView, type SurfaceView, surfaceNames } from "./surface-view";

/** What a surface export reads: a SurfaceView, plus a Snapshot's provenance when there is one. */
export interface SurfaceExportSource extends SurfaceView {
  producer?: { name: string; version: string; backend: string };
  directions?: readonly { label: string; method: string; normalization: string; bias: string }[];
  /** A Snapshot's loss, named in the accuracy placeholder's note (1-D without accuracies). */
  model?: { loss?: string };
}

/** Attribute (and its value) that marks an accuracy dataset as a NaN placeholder, not data. */
const ACCURACY_PLACEHOLDER_ATTRIBUTE = "accuracy";
const ACCURACY_PLACEHOLDER_VALUE = "undefined";

/**
 * The accuracy datasets a 1-D file needs for plot_1D.py but the view does not have: train_acc
 * when there is train_loss without train_accuracy, test_acc likewise (plot_1D.py reads test_acc
 * whenever test_loss is there). None for 2-D (plot_2D.py reads only the surface it is asked for).
 */
function accuracyPlaceholders(view: SurfaceView, written: ReadonlyMap<string, string>): string[] {
  if (view.grid.axes.length !== 1) return [];
  const out: string[] = [];
  for (const split of ["train", "test"]) {
    const theirs = `${split}_acc`;
    if (view.surfaces[`${split}_loss`] && !view.surfaces[`${split}_accuracy`] && !written.has(theirs)) {
      out.push(theirs);
    }
  }
  return out;
}

export interface Hdf5SurfaceOptions {
  /** Stored as the dir_file string dataset (the directions file's name), as plot_surface.py does. */
  dirFile?: string;
}

const VALUE_ORDER =
  "row-major, x fastest: value[iy, ix] is at (xcoordinates[ix], ycoordinates[iy]), as np.meshgrid(x, y)";

/** String attributes recording where the numbers came from; the reference scripts ignore them. */
function provenance(view: SurfaceExportSource): Record<string, string> {
  const attrs: Record<string, string> = {
    exported_by: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
    layout: "tomgoldstein/loss-landscape surface file",
    value_order: VALUE_ORDER,
    accuracy_units: "percent",
  };
  if (view.producer) {
    attrs.producer = `${view.producer.name} ${view.producer.version} (backend ${view.producer.backend})`;
  }
  for (const d of view.directions ?? []) {
    attrs[`${d.label}_method`] = d.method;
    attrs[`${d.label}_normalization`] = d.normalization;
    attrs[`${d.label}_bias`] = d.bias;
  }
  return attrs;
}

/**
 * The surface file's bytes. 2-D surfaces get shape [ny, nx] (row iy holds y = ycoordinates[iy]);
 * values are stored as float64 (the reference tool's dtype), so float32 values round-trip exactly.
 * Throws when the view is unusable or a surface name collides with a reference dataset name.
 */
export function surfaceToHdf5(
  lib: H5Lib,
  view: SurfaceExportSource,
  opts: Hdf5SurfaceOptions = {},
): Uint8Array {
  checkSurfaceView(view);
  const axes = view.grid.axes;
  const shape = axes.length === 2 ? [axes[1].count, axes[0].count] : [axes[0].count];
  const names = surfaceNames(view);
  const written = new Map<string, string>();
  for (const name of names) {
    const { theirs } = referenceSurfaceName(name);
    const reserved = (REFERENCE_NON_SURFACES as readonly string[]).includes(theirs);
    const other = written.get(theirs);
    if (reserved || other !== undefined) {
      const why = reserved ? "a reserved name" : `also the dataset of surface ${other}`;
      throw new Error(`surface ${name} would be written as dataset "${theirs}", which is ${why}`);
    }
    written.set(theirs, name);
  }
  return writeH5(lib, (file) => {
    for (const [key, value] of Object.entries(provenance(view))) file.create_attribute(key, value);
    file.create_dataset({ name: "xcoordinates", data: axisValues(axes[0]) });
    if (axes.length === 2) file.create_dataset({ name: "ycoordinates", data: axisValues(axes[1]) });
    if (opts.dirFile !== undefined) file.create_dataset({ name: "dir_file", data: opts.dirFile });
    for (const name of names) {
      const { theirs, percent } = referenceSurfaceName(name);
      const values = view.surfaces[name];
      const data = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) data[i] = percent ? values[i] * 100 : values[i];
      const ds = file.create_dataset({ name: theirs, data, shape, dtype: "<d" });
      if (percent) ds.create_attribute("units", "percent");
      if (theirs !== name) ds.create_attribute("snapshot_name", name);
    }
    // Accuracy is undefined for a regression (mse); a classification view without it simply lacks it.
    const why =
      view.model?.loss === "cross-entropy"
        ? "there is no accuracy in this landscape"
        : `accuracy is undefined for this landscape (regression${view.model?.loss ? `, ${view.model.loss} loss` : ""})`;
    for (const theirs of accuracyPlaceholders(view, written)) {
      const data = new Float64Array(shape[0]).fill(Number.NaN);
      const ds = file.create_dataset({ name: theirs, data, shape, dtype: "<d" });
      ds.create_attribute(ACCURACY_PLACEHOLDER_ATTRIBUTE, ACCURACY_PLACEHOLDER_VALUE);
      ds.create_attribute("note", `${why}: all NaN, written because plot_1D.py always reads ${theirs}`);
    }
  });
}

export interface ReadSurfaceOptions {
  /** What is being read, for messages (default "surface file"). */
  source?: string;
  /** What reading may cost (default DEFAULT_READ_LIMITS): values per dataset, bytes in all. */
  limits?: ReadLimits;
}

/** Coordinates of one axis, checked to be a uniform increasing grid as ours are. */
function readAxis(
  lib: H5Lib,
  file: H5File,
  name: "xcoordinates" | "ycoordinates",
  label: string,
  source: string,
  limits: ReadLimits,
) {
  const ds = file.get(name);
  if (!(ds instanceof lib.Dataset)) throw new Error(`${source}: ${name} is not a dataset`);
  if (declaredBytes(ds) > limits.maxReadBytes) {
    throw new ReadLimitError(
      `${source}: too large: dataset ${datasetText(ds, name)} would take ${sizeText(declaredBytes(ds))} once read, ` +
        `more than ${sizeText(limits.maxReadBytes)}, the limit for a file's data once read${limitHint(limits, memoryForData(declaredBytes(ds)))}`,
    );
  }
  const { values, shape } = readFloatDataset(ds, name, source, limits);
  if (shape.length !== 1) throw new Error(`${source}: ${name} has shape [${shape.join(", ")}], expected 1-D`);
  const n = values.length;
  if (n < 2) throw new Error(`${source}: ${name} has ${n} value(s); a landscape axis needs at least 2`);
  const coordinates = Float64Array.from(values);
  const axis: SnapshotAxis = { label, min: coordinates[0], max: coordinates[n - 1], count: n };
  if (!coordinates.every(Number.isFinite) || !(axis.min < axis.max)) {
    throw new Error(`${source}: ${name} must be finite and increasing, from ${axis.min} to ${axis.max}`);
  }
  // float32 coordinates are off by up to an ulp of the largest magnitude.
  const tolerance = 1e-5 * Math.max(axis.max - axis.min, Math.abs(axis.min), Math.abs(axis.max));
  for (let k = 0; k < n; k++) {
    const expected = axisCoordinate(axis, k);
    if (Math.abs(coordinates[k] - expected) > tolerance) {
      throw new Error(
        `${source}: ${name} is not evenly spaced (value ${k} is ${coordinates[k]}, a uniform grid has ${expected}); ` +
          "only uniform grids (np.linspace) can be imported",
      );
    }
  }
  return { axis, coordinates };
}

/** The note of an accuracy placeholder written by surfaceToHdf5 (attribute accuracy = "undefined"), else undefined. */
function placeholderNote(ds: H5Dataset): string | undefined {
  if (stringAttribute(ds, ACCURACY_PLACEHOLDER_ATTRIBUTE) !== ACCURACY_PLACEHOLDER_VALUE) return undefined;
  return stringAttribute(ds, "note") ?? "accuracy is undefined";
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Reads a surface file in the reference layout (written by the reference tool or by
 * surfaceToHdf5) into our names, order and units. 2-D datasets may be [ny, nx] or the reference
 * tool's own [nx, ny]; both hold the values x fastest. -1 in train_loss/train_acc/test_loss/test_acc
 * (the reference tool's mark for a point not yet computed) becomes NaN, with a warning. Throws an
 * Error naming the problem for bytes that are not HDF5 or are truncated, a missing or malformed
 * xcoordinates/ycoordinates, a surface of the wrong shape or dtype, or no surface at all.
 *
 * @example const imported = readHdf5Surface(lib, bytes, { source: "resnet56.h5" }); imported.surfaces.train_accuracy; // fractions
 */
export function readHdf5Surface(
  lib: H5Lib,
  bytes: Uint8Array,
  opts: ReadSurfaceOptions = {},
): ImportedSurface {
  const source = opts.source ?? "surface file";
  const limits = opts.limits ?? DEFAULT_READ_LIMITS;
  return readH5(lib, bytes, source, (file) => {
    const keys = file.keys();
    for (const key of keys) {
      if (REFUSED_KEYS.includes(key)) {
        throw new Error(
          `${source}: the dataset name "${key}" is refused: JavaScript reads it as an object's prototype, not as data; rename it`,
        );
      }
    }
    if (!keys.includes("xcoordinates")) {
      const isDirections = REFERENCE_DIRECTION_GROUPS.some((g) => keys.includes(g));
      throw new Error(
        `${source} has no xcoordinates dataset, so it is not a loss-landscape surface file` +
          (isDirections ? " (it has xdirection: it is a directions file)" : "") +
          ` (it holds ${keys.length > 0 ? keys.join(", ") : "nothing"})`,
      );
    }
    const x = readAxis(lib, file, "xcoordinates", "x", source, limits);
    const twoD = keys.includes("ycoordinates");
    const y = twoD ? readAxis(lib, file, "ycoordinates", "y", source, limits) : undefined;
    const nx = x.axis.count;
    const ny = y?.axis.count ?? 1;
    const accepted = y
      ? [
          [ny, nx],
          [nx, ny],
        ]
      : [[nx]];
    const expectedText = y ? `[${ny}, ${nx}] ([ny, nx]) or [${nx}, ${ny}]` : `[${nx}]`;

    const warnings: string[] = [];
    let dirFile: string | undefined;

    // What will be read, decided from the datasets' headers alone; then its size is checked
    // against the limits before a single value is read.
    const toRead: { key: string; ds: H5Dataset; reference: boolean }[] = [];
    for (const key of keys) {
      if (key === "xcoordinates" || key === "ycoordinates") continue;
      const entity = file.get(key);
      const reference = REFERENCE_SURFACES.some((r) => r.theirs === key);
      if (!(entity instanceof lib.Dataset)) {
        if (reference) throw new Error(`${source}: ${key} is not a dataset`);
        warnings.push(`skipped ${key}: not a dataset`);
        continue;
      }
      if (key === "dir_file") {
        // A name: one string. A larger dataset under this name is not what the reference tool writes.
        if (declaredValues(entity) <= 1 && typeof entity.value === "string") dirFile = entity.value;
        continue;
      }
      const shape = entity.shape ?? [];
      if (ourSurfaceName(key).percent && placeholderNote(entity) !== undefined) {
        warnings.push(`skipped ${key}: a NaN placeholder, not data (${placeholderNote(entity)})`);
        continue;
      }
      if (!reference) {
        // Other arrays over the grid (e.g. min_eig/max_eig of plot_hessian_eigen.py) come along as they are.
        const fits = entity.metadata.type === H5T_FLOAT && accepted.some((s) => sameShape(s, shape));
        if (!fits) {
          warnings.push(
            `skipped ${key}: ${describeDtype(entity)} [${shape.join(", ")}] is not a surface over the grid`,
          );
          continue;
        }
      }
      if (entity.metadata.type !== H5T_FLOAT || (entity.metadata.size !== 4 && entity.metadata.size !== 8)) {
        throw new Error(
          `${source}: dataset ${key} has dtype ${describeDtype(entity)}; expected float32 or float64`,
        );
      }
      checkDatasetSize(entity, key, source, limits);
      if (!accepted.some((s) => sameShape(s, shape))) {
        throw new Error(
          `${source}: ${key} has shape [${shape.join(", ")}], expected ${expectedText} for ` +
            `${nx} x-coordinates${y ? ` and ${ny} y-coordinates` : ""}`,
        );
      }
      toRead.push({ key, ds: entity, reference });
    }
    const axesBytes = (x.coordinates.length + (y?.coordinates.length ?? 0)) * 8;
    const total = toRead.reduce((sum, r) => sum + declaredBytes(r.ds), axesBytes);
    if (total > limits.maxReadBytes) {
      const parts = toRead.map((r) => `${datasetText(r.ds, r.key)} ${sizeText(declaredBytes(r.ds))}`);
      throw new ReadLimitError(
        `${source}: too large: its datasets would take ${sizeText(total)} once read (${parts.join(", ")}, ` +
          `and the coordinates ${sizeText(axesBytes)}), ` +
          `more than ${sizeText(limits.maxReadBytes)}, the limit for a file's data once read${limitHint(limits, memoryForData(total))}`,
      );
    }

    const surfaces: Record<string, Float32Array> = {};
    const names: Record<string, string> = {};
    for (const { key, ds: entity, reference } of toRead) {
      const { values } = readFloatDataset(entity, key, source, limits);
      const { ours, percent: referencePercent } = ourSurfaceName(key);
      const units = stringAttribute(entity, "units");
      const percent = referencePercent && units !== "fraction";
      const out = new Float32Array(values.length);
      let uncomputed = 0;
      let outside = 0;
      for (let i = 0; i < values.length; i++) {
        let v = values[i];
        if (reference && v === REFERENCE_UNCOMPUTED) {
          uncomputed++;
          v = Number.NaN;
        } else if (percent && (v < 0 || v > 100)) outside++;
        out[i] = percent ? v / 100 : v;
      }
      if (referencePercent && uncomputed === 0 && values.length > 0 && values.every(Number.isNaN)) {
        // An accuracy that holds no number (another writer's placeholder for a regression) is no
        // data: shown, it would read as an accuracy of NaN everywhere.
        warnings.push(`skipped ${key}: every value is NaN, so the file holds no accuracy`);
        continue;
      }
      if (uncomputed > 0) {
        warnings.push(
          `${key}: ${uncomputed} of ${values.length} values are -1 (not yet computed); imported as NaN`,
        );
      }
      if (outside > 0) warnings.push(`${key}: ${outside} values outside [0, 100] percent`);
      surfaces[ours] = out;
      names[ours] = key;
    }

    // The file lists datasets alphabetically; put ours in the usual order (train_loss first).
    const order = surfaceNames({ grid: { axes: [] }, surfaces });
    const ordered = Object.fromEntries(order.map((n) => [n, surfaces[n]]));
    const orderedNames = Object.fromEntries(order.map((n) => [n, names[n]]));
    if (order.length === 0) {
      throw new Error(
        `${source} has coordinates but no surface (none of ${REFERENCE_SURFACES.map((r) => r.theirs).join(", ")})`,
      );
    }
    const attributes: Record<string, string> = {};
    for (const name of Object.keys(file.attrs)) {
      if (REFUSED_KEYS.includes(name)) {
        warnings.push(
          `skipped the attribute ${name}: JavaScript reads the name as an object's prototype, not as data`,
        );
        continue;
      }
      const v = stringAttribute(file, name);
      if (v !== undefined) attributes[name] = v;
    }
    return {
      kind: IMPORTED_SURFACE_KIND,
      format: REFERENCE_HDF5_FORMAT,
      source,
      grid: { axes: y ? [x.axis, y.axis] : [x.axis] },
      coordinates: y ? [x.coordinates, y.coordinates] : [x.coordinates],
      surfaces: ordered,
      names: orderedNames,
      ...(dirFile === undefined ? {} : { dirFile }),
      attributes,
      warnings,
    };
  });
}
