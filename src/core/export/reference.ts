/**
 * The file layout of the reference tool, tomgoldstein/loss-landscape (Li et al. 2018), as its code
 * reads and writes it, and the mapping between its names, units and tensor orders and ours.
 *
 * Surface file (plot_surface.py setup_surface_file / crunch; read by plot_1D.py, plot_2D.py, h52vtp.py):
 * - `xcoordinates`: float64 [nx] = np.linspace(xmin, xmax, xnum); `ycoordinates` [ny] for 2-D only.
 * - `dir_file`: string, the directions file's name.
 * - `train_loss`, `train_acc`, `test_loss`, `test_acc`: float64; accuracies in PERCENT
 *   (evaluation.eval_loss returns 100. * correct / total). Not yet computed points hold -1.
 * - 2-D value order: crunch fills `losses.ravel()[ind]` where ind indexes
 *   np.meshgrid(xcoordinates, ycoordinates) raveled (scheduler.get_unplotted_indices), i.e. x
 *   fastest, exactly our row-major order; plot_2D.py plots Z against meshgrid(x, y), so
 *   Z[iy, ix] is the value at (x[ix], y[iy]). crunch creates the array with shape (nx, ny), which
 *   equals (ny, nx) for the usual square grids; for other grids we write (ny, nx), the shape under
 *   which plot_2D.py's meshgrid and the bytes agree, and read either.
 *
 * Directions file (net_plotter.setup_direction with h5_util.write_list): groups `xdirection` and
 * (2-D) `ydirection`, each with one dataset per tensor of net.parameters(), named "0", "1", ...
 * in that order, in PyTorch shapes: nn.Linear.weight is [out, in] (tfjs Dense kernels are
 * [in, out], so they are transposed), biases [out]. A conv kernel [kh, kw, in, out] would become
 * PyTorch's [out, in, kh, kw].
 */
import type { LayoutEntry } from "../model/types";

/** Our surface name, the reference tool's dataset name, and whether it stores percent. */
export interface ReferenceSurfaceName {
  ours: string;
  theirs: string;
  percent: boolean;
}

export const REFERENCE_SURFACES: readonly ReferenceSurfaceName[] = [
  { ours: "train_loss", theirs: "train_loss", percent: false },
  { ours: "train_accuracy", theirs: "train_acc", percent: true },
  { ours: "test_loss", theirs: "test_loss", percent: false },
  { ours: "test_accuracy", theirs: "test_acc", percent: true },
];

/** Datasets of a surface file that are not surfaces. */
export const REFERENCE_NON_SURFACES = ["xcoordinates", "ycoordinates", "dir_file"] as const;

/** The reference tool's "not yet computed" mark in a surface (plot_surface.py: -np.ones). */
export const REFERENCE_UNCOMPUTED = -1;

/** Groups of the directions file, one per grid axis. */
export const REFERENCE_DIRECTION_GROUPS = ["xdirection", "ydirection"] as const;

/** Reference name of one of our surfaces (other names are kept as they are). */
export function referenceSurfaceName(ours: string): ReferenceSurfaceName {
  return REFERENCE_SURFACES.find((r) => r.ours === ours) ?? { ours, theirs: ours, percent: false };
}

/** Our name of a reference dataset (other names are kept as they are). */
export function ourSurfaceName(theirs: string): ReferenceSurfaceName {
  return REFERENCE_SURFACES.find((r) => r.theirs === theirs) ?? { ours: theirs, theirs, percent: false };
}

/**
 * The permutation from our axis order to PyTorch's: rank 1 as is, rank 2 [in, out] -> [out, in],
 * rank 4 [kh, kw, in, out] -> [out, in, kh, kw], and the identity for an entry with filterAxis 0
 * (an ONNX model's, in PyTorch's order already). Throws for other ranks.
 */
function torchAxes(entry: LayoutEntry): number[] {
  // ONNX models (filterAxis 0) are stored in PyTorch's order already: the identity, any rank.
  if (entry.filterAxis === 0) return entry.shape.map((_, i) => i);
  switch (entry.shape.length) {
    case 1:
      return [0];
    case 2:
      return [1, 0];
    case 4:
      return [3, 2, 0, 1];
    default:
      throw new Error(
        `${entry.name}: no PyTorch order for a tensor of rank ${entry.shape.length} (shape [${entry.shape.join(", ")}])`,
      );
  }
}

/**
 * PyTorch's shape of one of our tensors.
 *
 * @example torchShape({ name: "dense_0/kernel", shape: [2, 64] }); // [64, 2]
 */
export function torchShape(entry: LayoutEntry): number[] {
  return torchAxes(entry).map((a) => entry.shape[a]);
}

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/**
 * Moves values between our order and PyTorch's. toTorch: `values` is row-major in our shape and
 * the result is row-major in torchShape(entry); otherwise the reverse.
 */
function permute(values: Float32Array, entry: LayoutEntry, toTorch: boolean): Float32Array {
  const axes = torchAxes(entry);
  const ours = entry.shape;
  const theirs = axes.map((a) => ours[a]);
  const theirsStride = strides(theirs);
  const out = new Float32Array(values.length);
  const index = new Array<number>(ours.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    // index is the multi-index of flat position i in our shape; j is its position in PyTorch's.
    let j = 0;
    for (let t = 0; t < axes.length; t++) j += index[axes[t]] * theirsStride[t];
    if (toTorch) out[j] = values[i];
    else out[i] = values[j];
    for (let d = ours.length - 1; d >= 0; d--) {
      if (++index[d] < ours[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * One of our tensors in PyTorch order, e.g. a Dense kernel [in, out] transposed to [out, in].
 *
 * @example toTorchOrder(Float32Array.of(1, 2, 3, 4, 5, 6), { name: "k", shape: [2, 3] }); // [1, 4, 2, 5, 3, 6]
 */
export function toTorchOrder(values: Float32Array, entry: LayoutEntry): Float32Array {
  return permute(values, entry, true);
}

/** The inverse of toTorchOrder: PyTorch-ordered values back into our shape's row-major order. */
export function fromTorchOrder(values: Float32Array, entry: LayoutEntry): Float32Array {
  return permute(values, entry, false);
}
