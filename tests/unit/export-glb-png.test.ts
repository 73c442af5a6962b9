import { unzlibSync } from "fflate";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { describe, expect, it } from "vitest";
import { surfaceToGlb } from "../../src/core/export/glb";
import { surfaceToPng } from "../../src/core/export/png";
import { lineSnapshot, planeSnapshot } from "./export-fixture";

async function loadGlb(bytes: Uint8Array) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const gltf = await new GLTFLoader().parseAsync(buffer, "");
  const meshes: import("three").Mesh[] = [];
  gltf.scene.traverse((o) => {
    if ((o as import("three").Mesh).isMesh || (o as import("three").LineSegments).isLineSegments)
      meshes.push(o as import("three").Mesh);
  });
  return meshes;
}

describe("glTF binary of a surface (written without a renderer)", () => {
  it("loads in three's GLTFLoader with one vertex per finite grid point, two triangles per cell and colours", async () => {
    const s = planeSnapshot();
    const [nx, ny] = [s.grid.axes[0].count, s.grid.axes[1].count];
    const finite = Array.from(s.surfaces.train_loss).filter(Number.isFinite).length;
    const meshes = await loadGlb(surfaceToGlb(s));
    expect(meshes.length).toBe(1);
    const g = meshes[0].geometry;
    expect(g.getAttribute("position").count).toBe(finite);
    expect(g.getAttribute("color").count).toBe(finite);
    if (finite === nx * ny) expect(g.index?.count).toBe((nx - 1) * (ny - 1) * 6);
    // Heights are the values themselves unless normalized.
    const ys = g.getAttribute("position");
    let top = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ys.count; i++) top = Math.max(top, ys.getY(i));
    const maxLoss = Math.max(...Array.from(s.surfaces.train_loss).filter(Number.isFinite));
    expect(top).toBeCloseTo(maxLoss, 4);
    const normalized = await loadGlb(surfaceToGlb(s, { height: "normalized" }));
    const n = normalized[0].geometry.getAttribute("position");
    let nTop = 0;
    for (let i = 0; i < n.count; i++) nTop = Math.max(nTop, n.getY(i));
    expect(nTop).toBeCloseTo(1, 6);
    expect(meshes[0].userData).toMatchObject({ metric: "train_loss", colormap: "viridis" });
  });

  it("places the grid's y at -z (y up, right-handed, not mirrored) with every triangle facing up", async () => {
    const s = planeSnapshot();
    const g = (await loadGlb(surfaceToGlb(s)))[0].geometry;
    const p = g.getAttribute("position");
    const [xs, ys] = s.grid.axes.map((a) =>
      Array.from({ length: a.count }, (_, i) => a.min + (i * (a.max - a.min)) / (a.count - 1)),
    );
    const seen = new Set<string>();
    for (let i = 0; i < p.count; i++) {
      expect(xs.some((x) => Math.abs(x - p.getX(i)) < 1e-6)).toBe(true);
      expect(ys.some((y) => Math.abs(-y - p.getZ(i)) < 1e-6)).toBe(true);
      seen.add(`${p.getX(i).toFixed(5)},${p.getZ(i).toFixed(5)}`);
    }
    // The corner (x max, y max) is at (+x, -z): far right, away from a viewer on +z.
    const [ax, ay] = s.grid.axes;
    if (Number.isFinite(s.surfaces.train_loss[ax.count * ay.count - 1]))
      expect(seen.has(`${ax.max.toFixed(5)},${(-ay.max).toFixed(5)}`)).toBe(true);
    const index = g.index;
    expect(index).not.toBeNull();
    let triangles = 0;
    for (let t = 0; index && t < index.count; t += 3) {
      const [a, b, c] = [index.getX(t), index.getX(t + 1), index.getX(t + 2)];
      const u = [p.getX(b) - p.getX(a), p.getY(b) - p.getY(a), p.getZ(b) - p.getZ(a)];
      const w = [p.getX(c) - p.getX(a), p.getY(c) - p.getY(a), p.getZ(c) - p.getZ(a)];
      expect(u[2] * w[0] - u[0] * w[2]).toBeGreaterThan(0); // y component of u x w: the face's normal points up
      triangles++;
    }
    expect(triangles).toBeGreaterThan(0);
  });

  it("writes a 1-D landscape as line segments", async () => {
    const s = lineSnapshot();
    const meshes = await loadGlb(surfaceToGlb(s));
    expect(meshes[0].geometry.getAttribute("position").count).toBe(s.grid.axes[0].count);
  });
});

/** The RGBA pixels of an 8-bit RGBA, non-interlaced PNG with filter 0 rows (what we write). */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = dv.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = dv.getUint32(at + 8);
      height = dv.getUint32(at + 12);
      expect(Array.from(data.subarray(8))).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  const raw = unzlibSync(idat.length === 1 ? idat[0] : Uint8Array.from(idat.flatMap((d) => Array.from(d))));
  const rgba = new Uint8Array(width * height * 4);
  for (let r = 0; r < height; r++) {
    expect(raw[r * (1 + width * 4)]).toBe(0);
    rgba.set(raw.subarray(r * (1 + width * 4) + 1, (r + 1) * (1 + width * 4)), r * width * 4);
  }
  return { width, height, rgba };
}

describe("PNG heatmap of a surface", () => {
  it("has one block of scale x scale pixels per grid point, the lowest value darkest, holes transparent", () => {
    const s = planeSnapshot();
    const loss = s.surfaces.train_loss;
    loss[0] = Number.NaN;
    const [nx, ny] = [s.grid.axes[0].count, s.grid.axes[1].count];
    const { width, height, rgba } = decodePng(surfaceToPng(s, { scale: 3 }));
    expect([width, height]).toEqual([nx * 3, ny * 3]);
    // Grid point (0, 0) is the bottom-left block: a hole.
    expect(rgba[((height - 1) * width + 0) * 4 + 3]).toBe(0);
    let argmin = -1;
    for (let i = 0; i < loss.length; i++)
      if (Number.isFinite(loss[i]) && (argmin < 0 || loss[i] < loss[argmin])) argmin = i;
    const [ix, iy] = [argmin % nx, Math.floor(argmin / nx)];
    const p = ((height - 1 - iy * 3) * width + ix * 3) * 4;
    expect(Array.from(rgba.subarray(p, p + 4))).toEqual([68, 1, 84, 255]); // viridis(0)
  });

  it("refuses a scale outside 1..64", () => {
    expect(() => surfaceToPng(planeSnapshot(), { scale: 0 })).toThrow(
      /scale must be an integer in \[1, 64\], got 0/,
    );
  });
});
