/**
 * VTK XML PolyData (.vtp, ASCII) of a surface, the format the reference tool's h52vtp.py writes
 * and ParaView, VisIt and meshio read: `<VTKFile type="PolyData" version="1.0"
 * byte_order="LittleEndian" header_type="UInt64">`, one Piece with a point per finite grid point
 * at (x, y, value), one 4-point polygon per grid cell with four finite corners (counter-clockwise
 * seen from +z; 1-D: Lines between neighbouring points at y = 0), Int64 `connectivity` and
 * `offsets` as h52vtp.py writes them. Point data: the plotted value under the metric's name and as
 * h52vtp.py's `zvalue`; cell data: the mean of each cell's corners as `averaged zvalue`, so a
 * ParaView state made for h52vtp.py's files applies. ln(v + 0.1) with log, as h52vtp.py --log.
 * Unlike h52vtp.py, non-square grids are fine and non-finite points are left out (it writes every
 * point, NaN included, which ParaView draws as holes only by luck).
 *
 * @example surfaceToVtp(snapshot, { log: true }); // '<?xml version="1.0"?>\n<VTKFile type="PolyData" ...'
 */
import { type MeshOptions, surfaceMesh } from "./mesh";
import { float32Text } from "./numbers";
import type { SurfaceView } from "./surface-view";

export type VtpOptions = MeshOptions;

/** XML attribute text: the few characters a surface name could hold that XML reserves. */
function attr(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Values six to a line, indented, as h52vtp.py lays them out. */
function rows(values: ArrayLike<number | string>, perLine: number, indent: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += perLine)
    out.push(
      indent +
        Array.from({ length: Math.min(perLine, values.length - i) }, (_, k) => values[i + k]).join(" "),
    );
  return out;
}

interface DataArray {
  type: "Float32" | "Int64";
  name: string;
  components?: number;
  values: ArrayLike<number | string>;
  /** Values per line. */
  perLine?: number;
}

function dataArray(a: DataArray, indent: string): string[] {
  const comps = a.components ? ` NumberOfComponents="${a.components}"` : "";
  return [
    `${indent}<DataArray type="${a.type}" Name="${attr(a.name)}"${comps} format="ascii">`,
    ...rows(a.values, a.perLine ?? 6, `${indent}  `),
    `${indent}</DataArray>`,
  ];
}

function section(tag: string, arrays: DataArray[], indent: string): string[] {
  return [`${indent}<${tag}>`, ...arrays.flatMap((a) => dataArray(a, `${indent}  `)), `${indent}</${tag}>`];
}

/** An empty cell section (Verts, Strips; Lines or Polys when unused): connectivity and offsets. */
function noCells(tag: string, indent: string): string[] {
  return section(
    tag,
    [
      { type: "Int64", name: "connectivity", values: [] },
      { type: "Int64", name: "offsets", values: [] },
    ],
    indent,
  );
}

export function surfaceToVtp(view: SurfaceView, opts: VtpOptions = {}): string {
  const m = surfaceMesh(view, opts);
  const n = m.value.length;
  const cellCount = m.cells.length / m.cellSize;
  const values = Array.from(m.value, float32Text);
  const cellMeans: string[] = [];
  const offsets: number[] = [];
  for (let c = 0; c < cellCount; c++) {
    let sum = 0;
    for (let k = 0; k < m.cellSize; k++) sum += m.value[m.cells[c * m.cellSize + k]];
    cellMeans.push(float32Text(Math.fround(sum / m.cellSize)));
    offsets.push((c + 1) * m.cellSize);
  }
  const points: string[] = [];
  for (let k = 0; k < n; k++)
    points.push(`${float32Text(m.x[k])} ${float32Text(m.y[k])} ${float32Text(m.value[k])}`);
  const cells = section(
    m.cellSize === 4 ? "Polys" : "Lines",
    [
      { type: "Int64", name: "connectivity", values: m.cells, perLine: m.cellSize * 2 },
      { type: "Int64", name: "offsets", values: offsets },
    ],
    "      ",
  );
  const what = m.log ? `ln(${m.metric} + 0.1)` : m.metric;
  const lines = [
    '<?xml version="1.0"?>',
    `<!-- loss-landscape-lab ${m.dims}-D surface: z = ${attr(what)}; ${m.skipped} non-finite points left out -->`,
    '<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
    "  <PolyData>",
    `    <Piece NumberOfPoints="${n}" NumberOfVerts="0" NumberOfLines="${m.cellSize === 2 ? cellCount : 0}" NumberOfStrips="0" NumberOfPolys="${m.cellSize === 4 ? cellCount : 0}">`,
    ...section(
      "PointData",
      [
        { type: "Float32", name: m.quantity, values },
        { type: "Float32", name: "zvalue", values },
      ],
      "      ",
    ),
    ...section("CellData", [{ type: "Float32", name: "averaged zvalue", values: cellMeans }], "      "),
    ...section(
      "Points",
      [{ type: "Float32", name: "Points", components: 3, values: points, perLine: 2 }],
      "      ",
    ),
    ...noCells("Verts", "      "),
    ...(m.cellSize === 2 ? cells : noCells("Lines", "      ")),
    ...noCells("Strips", "      "),
    ...(m.cellSize === 4 ? cells : noCells("Polys", "      ")),
    "    </Piece>",
    "  </PolyData>",
    "</VTKFile>",
  ];
  return `${lines.join("\n")}\n`;
}
