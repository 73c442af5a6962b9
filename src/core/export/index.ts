/**
 * Exports researchers' tools read, and import of the reference tool's files. Pure TypeScript on
 * bytes and strings (no file system): runs in the Node CLI and in a browser worker alike. HDF5
 * goes through h5wasm, passed in as an H5Lib (loadH5wasm() or h5LibFromModule(...)).
 *
 * - HDF5 surface and directions files in the layout of tomgoldstein/loss-landscape (reference.ts)
 * - legacy VTK PolyData for ParaView, CSV, Wavefront OBJ
 * - ImportedSurface: a reference surface file read back; snapshotWithImportedSurface makes a Snapshot
 * - the format registry (formats.ts): every export format, its options and writer, for the CLI and the app
 *
 * @example const lib = await loadH5wasm(); const h5 = surfaceToHdf5(lib, snapshot); const csv = surfaceToCsv(snapshot);
 */
export { surfaceToCsv } from "./csv";
export { exportFileName, type FileNameOptions, type FileNaming, safeStem } from "./file-name";
export {
  type ExportContent,
  type ExportEnvironment,
  type ExportFormatSpec,
  type ExportInput,
  type ExportNeed,
  type ExportOptionName,
  type ExportWriteOptions,
  exportFormat,
  exportFormats,
  formatsTaking,
  onExportFormatsChange,
  registerExportFormat,
  writeExport,
} from "./formats";
export { type GlbOptions, surfaceToGlb } from "./glb";
export { type H5Lib, type H5WasmModuleLike, h5LibFromModule, hdf5SignatureOffset, loadH5wasm } from "./h5";
export {
  type DirectionsExportSource,
  directionsToHdf5,
  type ReadDirectionsOptions,
  readHdf5Directions,
} from "./hdf5-directions";
export {
  type Hdf5SurfaceOptions,
  type ReadSurfaceOptions,
  readHdf5Surface,
  type SurfaceExportSource,
  surfaceToHdf5,
} from "./hdf5-surface";
export {
  IMPORTED_SURFACE_KIND,
  type ImportedDirection,
  type ImportedDirections,
  type ImportedSurface,
  type MergeOptions,
  REFERENCE_HDF5_FORMAT,
  snapshotWithImportedSurface,
} from "./imported";
export { type MeshOptions, type SurfaceMesh, surfaceMesh } from "./mesh";
export { float32Text, referenceLog } from "./numbers";
export { type ObjOptions, surfaceToObj, viridis } from "./obj";
export { type PngOptions, surfaceToPng } from "./png";
export {
  fromTorchOrder,
  REFERENCE_DIRECTION_GROUPS,
  REFERENCE_SURFACES,
  type ReferenceSurfaceName,
  torchShape,
  toTorchOrder,
} from "./reference";
export {
  axisValues,
  checkSurfaceView,
  gridPoints,
  pickSurface,
  type SurfaceAxis,
  type SurfaceView,
  surfaceNames,
} from "./surface-view";
export { surfaceToVtk, type VtkOptions } from "./vtk";
export { surfaceToVtp, type VtpOptions } from "./vtp";
