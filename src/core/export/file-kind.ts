import { hdf5SignatureOffset } from "./h5";

/**
 * What an input file is read as: HDF5 by its signature, or by its name (.h5, .hdf5, .he5) when the
 * bytes have none, so an empty or damaged .h5 is told that it is not HDF5 (h5.ts names what it
 * lacks) instead of "not valid JSON"; anything else is a snapshot.
 *
 * @example inputKind(new Uint8Array(0), "surface.h5"); // "hdf5"
 */
export function inputKind(bytes: Uint8Array, name: string): "hdf5" | "snapshot" {
  if (hdf5SignatureOffset(bytes) >= 0) return "hdf5";
  return /\.(h5|hdf5|he5)$/i.test(name) ? "hdf5" : "snapshot";
}
