/**
 * Directions files in the reference tool's layout (net_plotter.setup_direction, h5_util.write_list):
 * group `xdirection` (and `ydirection` for 2-D) with one float32 dataset per tensor of the model,
 * named "0", "1", ... in parameter order, each in PyTorch's shape. Our MLP layout is already in
 * nn.Sequential's net.parameters() order (dense_l/kernel then dense_l/bias, layer by layer); the
 * kernels are transposed from tfjs [in, out] to nn.Linear's [out, in], so the reference scripts
 * (load_directions, set_weights) see their own convention. Their filter normalization runs over
 * the rows of [out, in], which are exactly our filters (slices along the last axis of [in, out]).
 *
 * Group attributes (ignored by the reference scripts) record our method, normalization, bias and
 * seed; each dataset's attributes give our tensor name and tfjs shape.
 *
 * @example const bytes = directionsToHdf5(lib, snapshot); const back = readHdf5Directions(lib, bytes, snapshot.model.layout);
 */
import { layoutOffsets, shapeSize } from "../model/layout";
import type { LayoutEntry } from "../model/types";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../producer";
import { REFUSED_KEYS } from "../snapshot/json-limits";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "../snapshot/limits";
import {
  type H5Dataset,
  type H5Group,
  type H5Lib,
  readFloatDataset,
  readH5,
  stringAttribute,
  writeH5,
} from "./h5";
import { type ImportedDirection, type ImportedDirections, REFERENCE_HDF5_FORMAT } from "./imported";
import { fromTorchOrder, REFERENCE_DIRECTION_GROUPS, torchShape, toTorchOrder } from "./reference";

/** What a directions export reads: a Snapshot has all of it. */
export interface DirectionsExportSource {
  model: { layout: readonly LayoutEntry[] };
  directions: readonly {
    label: string;
    method: string;
    normalization: string;
    bias: string;
    seed?: number;
    values: Float32Array;
  }[];
}

const PARAMETER_ORDER =
  "net.parameters() order; per layer nn.Linear weight [out, in] (the tfjs kernel [in, out] transposed), then bias [out]";

/**
 * The directions file's bytes: xdirection (and ydirection) in PyTorch order, float32 as
 * torch.randn makes them. Throws when there are not 1 or 2 directions or a direction's length is
 * not the layout's parameter count.
 */
export function directionsToHdf5(lib: H5Lib, s: DirectionsExportSource): Uint8Array {
  const { layout } = s.model;
  const offsets = layoutOffsets([...layout]);
  const total = offsets[offsets.length - 1];
  if (s.directions.length < 1 || s.directions.length > 2) {
    throw new Error(`a directions file holds 1 or 2 directions, the snapshot has ${s.directions.length}`);
  }
  s.directions.forEach((d, i) => {
    if (d.values.length !== total) {
      throw new Error(`directions[${i}] has ${d.values.length} values, the layout has ${total} parameters`);
    }
  });
  const shapes = layout.map(torchShape); // throws for tensors with no PyTorch order, before any writing
  return writeH5(lib, (file) => {
    file.create_attribute("exported_by", `${PRODUCER_NAME} ${PRODUCER_VERSION}`);
    file.create_attribute("layout", "tomgoldstein/loss-landscape directions file");
    file.create_attribute("parameter_order", PARAMETER_ORDER);
    s.directions.forEach((d, i) => {
      const group = file.create_group(REFERENCE_DIRECTION_GROUPS[i]);
      group.create_attribute("label", d.label);
      group.create_attribute("method", d.method);
      group.create_attribute("normalization", d.normalization);
      group.create_attribute("bias", d.bias);
      if (d.seed !== undefined) group.create_attribute("seed", String(d.seed));
      layout.forEach((entry, t) => {
        const values = toTorchOrder(d.values.subarray(offsets[t], offsets[t + 1]), entry);
        const ds = group.create_dataset({ name: String(t), data: values, shape: shapes[t], dtype: "<f" });
        ds.create_attribute("name", entry.name);
        ds.create_attribute("tfjs_shape", `[${entry.shape.join(", ")}]`);
      });
    });
  });
}

export interface ReadDirectionsOptions {
  /** What is being read, for messages (default "directions file"). */
  source?: string;
  /** What reading may cost (default DEFAULT_READ_LIMITS); a dataset's size is also checked against the layout first. */
  limits?: ReadLimits;
}

function readGroup(
  lib: H5Lib,
  group: H5Group,
  name: string,
  layout: readonly LayoutEntry[],
  source: string,
  limits: ReadLimits,
): Float32Array {
  const keys = group.keys();
  if (keys.length !== layout.length) {
    throw new Error(
      `${source}: ${name} has ${keys.length} datasets, the model has ${layout.length} tensors (${layout.map((e) => e.name).join(", ")})`,
    );
  }
  const offsets = layoutOffsets([...layout]);
  const out = new Float32Array(offsets[offsets.length - 1]);
  layout.forEach((entry, t) => {
    const path = `${name}/${t}`;
    const ds = group.get(String(t));
    if (!(ds instanceof lib.Dataset))
      throw new Error(
        `${source}: ${path} is missing (one dataset per tensor, "0" to "${layout.length - 1}")`,
      );
    // The shape is checked from the header before reading: a dataset declaring more is never read.
    const shape = (ds as H5Dataset).shape ?? [];
    const expected = torchShape(entry);
    if (shape.length !== expected.length || shape.some((v, i) => v !== expected[i])) {
      throw new Error(
        `${source}: ${path} has shape [${shape.join(", ")}], expected [${expected.join(", ")}] ` +
          `(PyTorch order of ${entry.name} [${entry.shape.join(", ")}])`,
      );
    }
    const { values } = readFloatDataset(ds as H5Dataset, path, source, limits);
    if (values.length !== shapeSize(entry.shape))
      throw new Error(`${source}: ${path} has ${values.length} values`);
    out.set(fromTorchOrder(Float32Array.from(values), entry), offsets[t]);
  });
  return out;
}

/**
 * Reads a directions file in the reference layout into flat vectors in our layout's order (kernels
 * transposed back). Throws an Error naming the problem: not HDF5, truncated, no xdirection, a
 * dataset count or shape that does not fit `layout`, a non-float dataset.
 *
 * @example const { directions } = readHdf5Directions(lib, bytes, snapshot.model.layout, { source: "dirs.h5" });
 */
export function readHdf5Directions(
  lib: H5Lib,
  bytes: Uint8Array,
  layout: readonly LayoutEntry[],
  opts: ReadDirectionsOptions = {},
): ImportedDirections {
  const source = opts.source ?? "directions file";
  const limits = opts.limits ?? DEFAULT_READ_LIMITS;
  return readH5(lib, bytes, source, (file) => {
    const keys = file.keys();
    if (!keys.includes("xdirection")) {
      const isSurface = keys.includes("xcoordinates") ? " (it has xcoordinates: it is a surface file)" : "";
      throw new Error(
        `${source} has no xdirection group, so it is not a loss-landscape directions file${isSurface} ` +
          `(it holds ${keys.length > 0 ? keys.join(", ") : "nothing"})`,
      );
    }
    const directions: ImportedDirection[] = [];
    for (const [i, name] of REFERENCE_DIRECTION_GROUPS.entries()) {
      if (!keys.includes(name)) continue;
      const group = file.get(name);
      if (!(group instanceof lib.Group)) throw new Error(`${source}: ${name} is not a group`);
      const attributes: Record<string, string> = {};
      for (const key of Object.keys(group.attrs)) {
        if (REFUSED_KEYS.includes(key)) continue; // provenance only; never made an object's prototype
        const v = stringAttribute(group, key);
        if (v !== undefined) attributes[key] = v;
      }
      directions.push({
        label: i === 0 ? "x" : "y",
        values: readGroup(lib, group, name, layout, source, limits),
        attributes,
      });
    }
    return { format: REFERENCE_HDF5_FORMAT, source, directions };
  });
}
