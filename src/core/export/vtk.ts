/**
 * Legacy VTK (ASCII) of a surface, for ParaView, VisIt or any VTK reader: DATASET POLYDATA, a
 * point per finite grid point at (x, y, value), one 4-point polygon per grid cell with four finite
 * corners (1-D: LINES between neighbouring points, y = 0), the value as POINT_DATA scalars named
 * after the metric and the mean of each cell's corners as CELL_DATA. This mirrors the reference
 * tool's h52vtp.py (PolyData, quads, z = value, point "zvalue" plus "averaged zvalue" per cell,
 * ln(v + 0.1) with --log) in the legacy format, which is simpler to read back. Non-finite
 * points are left out: the legacy ASCII reader cannot parse NaN.
 *
 * @example surfaceToVtk(snapshot, { metric: "train_loss", log: true }); // "# vtk DataFile Version 3.0\n..."
 */
import { type MeshOptions, surfaceMesh } from "./mesh";
import { float32Text } from "./numbers";
import type { SurfaceView } from "./surface-view";

export type VtkOptions = MeshOptions;

export function surfaceToVtk(view: SurfaceView, opts: VtkOptions = {}): string {
  const m = surfaceMesh(view, opts);
  const n = m.value.length;
  const cellCount = m.cells.length / m.cellSize;
  const what = m.log ? `ln(${m.metric} + 0.1)` : m.metric;
  // Legacy VTK names are single tokens.
  const scalar = m.quantity.replace(/\s+/g, "_");
  const lines = [
    "# vtk DataFile Version 3.0",
    `loss-landscape-lab ${m.dims}-D surface: z = ${what}; ${m.skipped} non-finite points left out`,
    "ASCII",
    "DATASET POLYDATA",
    `POINTS ${n} float`,
  ];
  for (let k = 0; k < n; k++)
    lines.push(`${float32Text(m.x[k])} ${float32Text(m.y[k])} ${float32Text(m.value[k])}`);
  const cellMeans = new Float32Array(cellCount);
  if (cellCount > 0) {
    lines.push(`${m.cellSize === 4 ? "POLYGONS" : "LINES"} ${cellCount} ${cellCount * (m.cellSize + 1)}`);
    for (let c = 0; c < cellCount; c++) {
      const ids = Array.from(m.cells.subarray(c * m.cellSize, (c + 1) * m.cellSize));
      lines.push(`${m.cellSize} ${ids.join(" ")}`);
      cellMeans[c] = ids.reduce((sum, id) => sum + m.value[id], 0) / m.cellSize;
    }
  }
  lines.push(`POINT_DATA ${n}`, `SCALARS ${scalar} float 1`, "LOOKUP_TABLE default");
  for (let k = 0; k < n; k++) lines.push(float32Text(m.value[k]));
  if (cellCount > 0) {
    lines.push(`CELL_DATA ${cellCount}`, `SCALARS ${scalar}_cell_mean float 1`, "LOOKUP_TABLE default");
    for (let c = 0; c < cellCount; c++) lines.push(float32Text(cellMeans[c]));
  }
  return `${lines.join("\n")}\n`;
}
