/**
 * The snapshot format (version 1): schema, validation, reading/writing bytes and a human summary.
 * Pure TypeScript: runs in browsers, web workers and Node alike.
 *
 * @example const snapshot = parseSnapshot(bytes); const bytesAgain = serializeSnapshot(snapshot, { gzip: true });
 */
export {
  ARRAY_ENCODINGS,
  type ArrayEncoding,
  decodeFloat32Wire,
  encodeFloat32Array,
  type Float32Base64,
  type Float32Wire,
  float32ArrayCodec,
  shortestFloat32Decimal,
  withArrayEncoding,
} from "./arrays";
export { decodeBase64, encodeBase64 } from "./base64";
export { type CurvatureSection, curvatureSectionSchema } from "./curvature-section";
export { isGzip } from "./gzip";
export {
  encodeSnapshot,
  type JsonTextOptions,
  type ParseOptions,
  parseSnapshot,
  type ReadProgress,
  type SerializeOptions,
  serializeSnapshot,
  snapshotToJsonText,
} from "./io";
export { jsonTreeProblems, REFUSED_KEYS, scanJsonBytes } from "./json-limits";
export {
  DEFAULT_READ_LIMITS,
  limitHint,
  maxFileBytes,
  memoryForData,
  ReadLimitError,
  type ReadLimits,
  readLimits,
  sizeText,
} from "./limits";
export {
  PATH_KINDS,
  type PathsSection,
  pathsSectionSchema,
  type SectionPath,
  type SectionPathModel,
  type SectionPathPlane,
} from "./paths-section";
export {
  DIRECTION_BIAS,
  DIRECTION_NORMALIZATIONS,
  HESSIAN_WHICH,
  KNOWN_SURFACES,
  type KnownSurface,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type Snapshot,
  type SnapshotAxis,
  type SnapshotData,
  type SnapshotDataSplit,
  type SnapshotDirection,
  type SnapshotWire,
  snapshotSchema,
} from "./schema";
export { reviewSnapshot, type SnapshotReview } from "./semantics";
export { type AxisLike, axisCoordinate, type SurfaceStats, summarizeSnapshot, surfaceStats } from "./summary";
export { assertSnapshot, checkSnapshot, type SnapshotCheck, SnapshotError } from "./validate";
