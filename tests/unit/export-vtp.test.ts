/**
 * The VTK XML PolyData export (.vtp, as the reference tool's h52vtp.py writes), read back with an
 * XML parser: the document is well formed, the Piece's counts match its arrays, points, polygons
 * and offsets are the mesh's, and the scalars are the surface's float32 values.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { type SurfaceView, surfaceToVtp } from "../../src/core/export";
import { lineSnapshot, lossAt, planeSnapshot, XS, YS } from "./export-fixture";

interface Array_ {
  "@_type": string;
  "@_Name": string;
  "@_NumberOfComponents"?: string;
  "#text"?: string | number;
}

interface Piece {
  "@_NumberOfPoints": string;
  "@_NumberOfLines": string;
  "@_NumberOfPolys": string;
  PointData: { DataArray: Array_[] };
  CellData: { DataArray: Array_ | Array_[] };
  Points: { DataArray: Array_[] };
  Lines: { DataArray: Array_[] };
  Polys: { DataArray: Array_[] };
}

/** Parses a .vtp, checks the header, and returns its Piece with number lists for each array. */
function parseVtp(text: string) {
  expect(XMLValidator.validate(text)).toBe(true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => n === "DataArray",
  }).parse(text);
  const file = doc.VTKFile;
  expect(file["@_type"]).toBe("PolyData");
  expect(file["@_version"]).toBe("1.0");
  expect(file["@_header_type"]).toBe("UInt64");
  const piece = file.PolyData.Piece as Piece;
  const numbers = (a: Array_ | undefined) =>
    String(a?.["#text"] ?? "")
      .trim()
      .split(/\s+/)
      .filter((t) => t !== "")
      .map(Number);
  const named = (arrays: Array_[] | Array_, name: string) =>
    numbers((Array.isArray(arrays) ? arrays : [arrays]).find((a) => a["@_Name"] === name));
  const coords = numbers(piece.Points.DataArray[0]);
  return {
    counts: {
      points: Number(piece["@_NumberOfPoints"]),
      lines: Number(piece["@_NumberOfLines"]),
      polys: Number(piece["@_NumberOfPolys"]),
    },
    points: Array.from({ length: coords.length / 3 }, (_, i) => coords.slice(i * 3, i * 3 + 3)),
    pointData: (name: string) => named(piece.PointData.DataArray, name),
    pointNames: piece.PointData.DataArray.map((a) => a["@_Name"]),
    cellMeans: named(piece.CellData.DataArray, "averaged zvalue"),
    polys: {
      connectivity: named(piece.Polys.DataArray, "connectivity"),
      offsets: named(piece.Polys.DataArray, "offsets"),
    },
    lines: {
      connectivity: named(piece.Lines.DataArray, "connectivity"),
      offsets: named(piece.Lines.DataArray, "offsets"),
    },
  };
}

describe("VTP export (VTK XML PolyData, as h52vtp.py)", () => {
  it("writes a point per grid point at (x, y, loss), a polygon per cell, zvalue and averaged zvalue", () => {
    const s = planeSnapshot();
    const vtp = parseVtp(surfaceToVtp(s));
    expect(vtp.counts).toEqual({ points: 6, lines: 0, polys: 2 });
    vtp.points.forEach(([x, y, z], i) => {
      expect([x, y]).toEqual([XS[i % 3], YS[Math.floor(i / 3)]].map(Math.fround));
      expect(z).toBe(lossAt(x, y));
    });
    expect(vtp.pointNames).toEqual(["train_loss", "zvalue"]);
    expect(vtp.pointData("zvalue")).toEqual(Array.from(s.surfaces.train_loss));
    expect(vtp.pointData("train_loss")).toEqual(Array.from(s.surfaces.train_loss));
    // As h52vtp.py: corners (i, i + 1, i + nx + 1, i + nx), offsets 4, 8, ...
    expect(vtp.polys.connectivity).toEqual([0, 1, 4, 3, 1, 2, 5, 4]);
    expect(vtp.polys.offsets).toEqual([4, 8]);
    // Cell 0 has losses -5, -4, 6, 5.
    expect(vtp.cellMeans).toEqual([0.5, 1.5]);
  });

  it("leaves out non-finite points and the cells that touch them, renumbering the rest", () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
    values[5] = Number.NaN;
    const view: SurfaceView = {
      grid: {
        axes: [
          { label: "x", min: 0, max: 3, count: 4 },
          { label: "y", min: 0, max: 2, count: 3 },
        ],
      },
      surfaces: { train_loss: values },
    };
    const text = surfaceToVtp(view);
    expect(text).toContain("1 non-finite points left out");
    const vtp = parseVtp(text);
    expect(vtp.counts).toEqual({ points: 11, lines: 0, polys: 2 });
    expect(vtp.pointData("zvalue").every(Number.isFinite)).toBe(true);
    for (const id of vtp.polys.connectivity) expect(id >= 0 && id < 11).toBe(true);
    const cells = [vtp.polys.connectivity.slice(0, 4), vtp.polys.connectivity.slice(4)];
    for (const cell of cells) expect(cell.map((id) => vtp.points[id][0]).sort()).toEqual([2, 2, 3, 3]);
  });

  it("plots ln(loss + 0.1) with log and names the point data log_<metric>", () => {
    const s = planeSnapshot();
    s.surfaces.train_loss = new Float32Array([0, 0.5, 1, 2, 4, 8]);
    const vtp = parseVtp(surfaceToVtp(s, { log: true }));
    expect(vtp.pointNames).toEqual(["log_train_loss", "zvalue"]);
    // Shortest decimals that read back as the same float32.
    expect(vtp.points.map((p) => Math.fround(p[2]))).toEqual(
      [0, 0.5, 1, 2, 4, 8].map((v) => Math.fround(Math.log(v + 0.1))),
    );
  });

  it("writes a 1-D landscape as Lines at y = 0", () => {
    const vtp = parseVtp(surfaceToVtp(lineSnapshot()));
    expect(vtp.counts).toEqual({ points: 5, lines: 4, polys: 0 });
    expect(vtp.lines.connectivity).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    expect(vtp.lines.offsets).toEqual([2, 4, 6, 8]);
    expect(vtp.points.map((p) => p[1])).toEqual([0, 0, 0, 0, 0]);
    expect(vtp.polys.connectivity).toEqual([]);
  });

  it("escapes a surface name XML reserves, and refuses a surface with no finite value", () => {
    const s = lineSnapshot();
    s.surfaces['loss <"a" & b>'] = s.surfaces.train_loss;
    expect(parseVtp(surfaceToVtp(s, { metric: 'loss <"a" & b>' })).pointNames[0]).toBe('loss <"a" & b>');
    s.surfaces.train_loss.fill(Number.NaN);
    expect(() => surfaceToVtp(s)).toThrow(/surface train_loss has no finite values; nothing to draw/);
  });
});
