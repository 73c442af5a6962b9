/**
 * The text exports (CSV, legacy VTK, OBJ), read back with small parsers written here, and the
 * PyTorch tensor-order helpers.
 */
import { describe, expect, it } from "vitest";
import {
  fromTorchOrder,
  type SurfaceView,
  surfaceMesh,
  surfaceToCsv,
  surfaceToObj,
  surfaceToVtk,
  torchShape,
  toTorchOrder,
} from "../../src/core/export";
import { lineSnapshot, lossAt, planeSnapshot, XS, YS } from "./export-fixture";

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** A 4 x 3 grid with value 10 * iy + ix, and NaN at (ix 1, iy 1): 4 of its 6 cells touch the NaN. */
function holeyView(): SurfaceView {
  const values = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
  values[5] = Number.NaN;
  return {
    grid: {
      axes: [
        { label: "x", min: 0, max: 3, count: 4 },
        { label: "y", min: 0, max: 2, count: 3 },
      ],
    },
    surfaces: { train_loss: values },
  };
}

function parseCsv(text: string): { header: string[]; rows: string[][] } {
  expect(text.endsWith("\n")).toBe(true);
  const [header, ...rows] = text
    .trimEnd()
    .split("\n")
    .map((l) => l.split(","));
  return { header, rows };
}

describe("CSV export", () => {
  it("has a header of x, y and the present metrics, and one row per grid point in row-major order", () => {
    const s = planeSnapshot();
    const { header, rows } = parseCsv(surfaceToCsv(s));
    expect(header).toEqual(["x", "y", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]);
    expect(rows).toHaveLength(6);
    rows.forEach((row, i) => {
      expect(Number(row[0])).toBe(XS[i % 3]);
      expect(Number(row[1])).toBe(YS[Math.floor(i / 3)]);
      expect(Number(row[2])).toBe(lossAt(XS[i % 3], YS[Math.floor(i / 3)]));
    });
  });

  it("writes numbers that read back as the same float32 values, NaN and Infinity as words Number() parses", () => {
    const s = planeSnapshot();
    const { header, rows } = parseCsv(surfaceToCsv(s));
    for (const [c, name] of header.entries()) {
      if (c < 2) continue;
      expect(bits(rows.map((r) => Number(r[c]))), name).toEqual(bits(s.surfaces[name]));
    }
    expect(rows.map((r) => r[4])).toEqual(["0.25", "NaN", "1e-8", "Infinity", "123456.79", "3"]);
    expect(rows[0][3]).toBe("0.33333334"); // float32(1/3): 8 digits are enough, 9 are not needed
  });

  it("has no y column for a 1-D landscape", () => {
    const { header, rows } = parseCsv(surfaceToCsv(lineSnapshot()));
    expect(header).toEqual(["x", "train_loss", "train_accuracy"]);
    expect(rows.map((r) => Number(r[0]))).toEqual([-2, -1, 0, 1, 2]);
    expect(rows.map((r) => Math.fround(Number(r[1])))).toEqual(
      Array.from(lineSnapshot().surfaces.train_loss),
    );
  });

  it("quotes a surface name that holds a comma and refuses a surface of the wrong length", () => {
    const view = lineSnapshot();
    view.surfaces["loss, smoothed"] = view.surfaces.train_loss;
    expect(surfaceToCsv(view).split("\n")[0]).toBe('x,train_loss,train_accuracy,"loss, smoothed"');
    view.surfaces.train_loss = view.surfaces.train_loss.slice(1);
    expect(() => surfaceToCsv(view)).toThrow(/surface train_loss has 4 values, expected 5 \(grid 5\)/);
  });
});

interface Vtk {
  header: string[];
  points: number[][];
  cellKind: string;
  cells: number[][];
  pointScalars: { name: string; values: number[] };
  cellScalars?: { name: string; values: number[] };
}

/** float32 of a decimal, as a VTK or OBJ reader stores it. */
const f32 = (t: string) => Math.fround(Number(t));

/** A reader for the legacy ASCII POLYDATA subset we write, strict about counts. */
function parseVtk(text: string): Vtk {
  const lines = text.trimEnd().split("\n");
  let at = 0;
  const next = () => lines[at++];
  const header = [next(), next(), next(), next()];
  const [pointsWord, nText, type] = next().split(" ");
  expect([pointsWord, type]).toEqual(["POINTS", "float"]);
  const points = Array.from({ length: Number(nText) }, () => next().split(" ").map(f32));
  let cellKind = "";
  const cells: number[][] = [];
  if (/^(POLYGONS|LINES) /.test(lines[at])) {
    const [kind, count, size] = next().split(" ");
    cellKind = kind;
    let total = 0;
    for (let c = 0; c < Number(count); c++) {
      const [k, ...ids] = next().split(" ").map(Number);
      expect(ids).toHaveLength(k);
      total += k + 1;
      cells.push(ids);
    }
    expect(total).toBe(Number(size));
  }
  const scalars = (section: string, n: number) => {
    expect(next()).toBe(`${section} ${n}`);
    const [word, name, t, comps] = next().split(" ");
    expect([word, t, comps]).toEqual(["SCALARS", "float", "1"]);
    expect(next()).toBe("LOOKUP_TABLE default");
    return { name, values: Array.from({ length: n }, () => f32(next())) };
  };
  const pointScalars = scalars("POINT_DATA", points.length);
  const cellScalars = cells.length > 0 ? scalars("CELL_DATA", cells.length) : undefined;
  expect(at).toBe(lines.length);
  return { header, points, cellKind, cells, pointScalars, cellScalars };
}

describe("VTK export", () => {
  it("writes legacy ASCII POLYDATA: a point per grid point at (x, y, loss), a quad per cell, the loss as point scalars", () => {
    const s = planeSnapshot();
    const vtk = parseVtk(surfaceToVtk(s));
    expect(vtk.header[0]).toBe("# vtk DataFile Version 3.0");
    expect(vtk.header.slice(2)).toEqual(["ASCII", "DATASET POLYDATA"]);
    expect(vtk.points).toHaveLength(6);
    vtk.points.forEach(([x, y, z], i) => {
      expect([x, y]).toEqual([XS[i % 3], YS[Math.floor(i / 3)]]);
      expect(z).toBe(lossAt(x, y));
    });
    expect(vtk.cellKind).toBe("POLYGONS");
    expect(vtk.cells).toEqual([
      [0, 1, 4, 3],
      [1, 2, 5, 4],
    ]);
    expect(vtk.pointScalars.name).toBe("train_loss");
    expect(bits(vtk.pointScalars.values)).toEqual(bits(s.surfaces.train_loss));
    expect(vtk.cellScalars?.name).toBe("train_loss_cell_mean");
    // Cell 0 has corners (-1, -0.5), (0, -0.5), (0, 0.5), (-1, 0.5): losses -5, -4, 6, 5.
    expect(vtk.cellScalars?.values).toEqual([0.5, 1.5]);
  });

  it("orients quads counter-clockwise seen from above, so their normals point to +z", () => {
    const vtk = parseVtk(surfaceToVtk(planeSnapshot()));
    for (const [a, b, , d] of vtk.cells) {
      const [p, q, r] = [vtk.points[a], vtk.points[b], vtk.points[d]];
      const u = [q[0] - p[0], q[1] - p[1]];
      const v = [r[0] - p[0], r[1] - p[1]];
      expect(u[0] * v[1] - u[1] * v[0]).toBeGreaterThan(0);
    }
  });

  it("leaves out non-finite points and every cell that touches one", () => {
    const vtk = parseVtk(surfaceToVtk(holeyView()));
    expect(vtk.points).toHaveLength(11);
    expect(vtk.cells).toHaveLength(2);
    expect(vtk.header[1]).toContain("1 non-finite points left out");
    expect(vtk.pointScalars.values.every(Number.isFinite)).toBe(true);
    // The two whole cells are the right-hand ones: x from 2 to 3.
    for (const cell of vtk.cells) expect(cell.map((id) => vtk.points[id][0]).sort()).toEqual([2, 2, 3, 3]);
  });

  it("plots ln(loss + 0.1) with log, as the reference tool's h52vtp.py --log", () => {
    const s = planeSnapshot();
    s.surfaces.train_loss = new Float32Array([0, 0.5, 1, 2, 4, 8]);
    const vtk = parseVtk(surfaceToVtk(s, { log: true }));
    expect(vtk.pointScalars.name).toBe("log_train_loss");
    expect(vtk.points.map((p) => p[2])).toEqual(
      [0, 0.5, 1, 2, 4, 8].map((v) => Math.fround(Math.log(v + 0.1))),
    );
  });

  it("draws the chosen metric, and a 1-D landscape as LINES at y = 0", () => {
    const test = parseVtk(surfaceToVtk(planeSnapshot(), { metric: "test_loss" }));
    expect(test.points).toHaveLength(4); // NaN and Infinity left out
    expect(test.cells).toHaveLength(0);
    const line = parseVtk(surfaceToVtk(lineSnapshot()));
    expect(line.cellKind).toBe("LINES");
    expect(line.cells).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(line.points.map((p) => p[1])).toEqual([0, 0, 0, 0, 0]);
  });

  it("refuses a missing metric, naming the ones there are, and a surface with no finite value", () => {
    expect(() => surfaceToVtk(lineSnapshot(), { metric: "test_loss" })).toThrow(
      /no surface "test_loss"; the snapshot has train_loss, train_accuracy/,
    );
    const s = lineSnapshot();
    s.surfaces.train_loss.fill(Number.NaN);
    expect(() => surfaceToVtk(s)).toThrow(/surface train_loss has no finite values; nothing to draw/);
  });
});

/** Vertices and faces of an OBJ file. */
function parseObj(text: string) {
  const v: number[][] = [];
  const f: number[][] = [];
  const l: number[][] = [];
  for (const line of text.trimEnd().split("\n")) {
    const [word, ...rest] = line.split(" ");
    if (word === "v") v.push(rest.map(f32));
    if (word === "f") f.push(rest.map(Number));
    if (word === "l") l.push(rest.map(Number));
  }
  for (const face of [...f, ...l]) for (const id of face) expect(id >= 1 && id <= v.length).toBe(true);
  return { v, f, l };
}

describe("OBJ export", () => {
  it("writes a vertex (x, loss, -y) per grid point and a quad per cell, facing up (+y)", () => {
    // y up and right-handed: the grid's y runs away from a viewer on +z, as in plot_2D.py.
    const obj = parseObj(surfaceToObj(planeSnapshot()));
    expect(obj.v).toHaveLength(6);
    expect(obj.f).toHaveLength(2);
    obj.v.forEach(([x, h, z], i) => {
      const y = -z;
      expect([x, y]).toEqual([XS[i % 3], YS[Math.floor(i / 3)]]);
      expect(h).toBe(lossAt(x, y));
    });
    for (const [a, b, c] of obj.f) {
      const [p, q, r] = [obj.v[a - 1], obj.v[b - 1], obj.v[c - 1]];
      const u = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
      const w = [r[0] - p[0], r[1] - p[1], r[2] - p[2]];
      expect(u[2] * w[0] - u[0] * w[2]).toBeGreaterThan(0); // y component of u x w
    }
  });

  it("skips non-finite points and the cells that touch them, renumbering the rest", () => {
    const obj = parseObj(surfaceToObj(holeyView()));
    expect(obj.v).toHaveLength(11);
    expect(obj.f).toHaveLength(2);
  });

  it("normalizes heights to [0, 1] and adds viridis colours when asked", () => {
    const obj = parseObj(surfaceToObj(planeSnapshot(), { height: "normalized", colors: true }));
    const heights = obj.v.map((v) => v[1]);
    expect(Math.min(...heights)).toBe(0);
    expect(Math.max(...heights)).toBe(1);
    for (const v of obj.v) {
      expect(v).toHaveLength(6);
      for (const c of v.slice(3)) expect(c >= 0 && c <= 1).toBe(true);
    }
    const lowest = obj.v[heights.indexOf(0)];
    expect(lowest.slice(3)).toEqual([0.267, 0.005, 0.329].map(Math.fround));
  });

  it("writes a 1-D landscape as line segments", () => {
    const obj = parseObj(surfaceToObj(lineSnapshot(), { metric: "train_accuracy" }));
    expect(obj.v).toHaveLength(5);
    expect(obj.f).toHaveLength(0);
    expect(obj.l).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(obj.v.map((v) => v[1])).toEqual(Array.from(lineSnapshot().surfaces.train_accuracy));
  });

  it("counts what the mesh leaves out", () => {
    expect(surfaceMesh(holeyView()).skipped).toBe(1);
    expect(surfaceMesh(planeSnapshot(), { metric: "test_loss" }).skipped).toBe(2);
  });
});

describe("PyTorch tensor order", () => {
  it("transposes a Dense kernel [in, out] to nn.Linear's [out, in] and back", () => {
    const entry = { name: "dense_0/kernel", shape: [2, 3] };
    const ours = Float32Array.of(1, 2, 3, 4, 5, 6); // [[1, 2, 3], [4, 5, 6]]
    expect(torchShape(entry)).toEqual([3, 2]);
    expect(Array.from(toTorchOrder(ours, entry))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(fromTorchOrder(toTorchOrder(ours, entry), entry))).toEqual(Array.from(ours));
  });

  it("keeps biases and moves a conv kernel [kh, kw, in, out] to [out, in, kh, kw]", () => {
    const bias = { name: "b", shape: [4] };
    expect(Array.from(toTorchOrder(Float32Array.of(1, 2, 3, 4), bias))).toEqual([1, 2, 3, 4]);
    const conv = { name: "conv/kernel", shape: [2, 3, 4, 5] };
    expect(torchShape(conv)).toEqual([5, 4, 2, 3]);
    const ours = Float32Array.from({ length: 120 }, (_, i) => i);
    const torch = toTorchOrder(ours, conv);
    // ours[h][w][i][o] at ((h * 3 + w) * 4 + i) * 5 + o; torch[o][i][h][w] at ((o * 4 + i) * 2 + h) * 3 + w.
    expect(torch[((4 * 4 + 3) * 2 + 1) * 3 + 2]).toBe(((1 * 3 + 2) * 4 + 3) * 5 + 4);
    expect(Array.from(fromTorchOrder(torch, conv))).toEqual(Array.from(ours));
    expect(() => torchShape({ name: "odd", shape: [2, 2, 2] })).toThrow(
      /odd: no PyTorch order for a tensor of rank 3/,
    );
  });
});
