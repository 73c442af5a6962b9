/**
 * glTF 2.0 binary (.glb) of a surface, written directly (no renderer: the CLI has none), for 3D
 * tools and AR viewers. Vertices at (x, height, -y) as in the OBJ export (height: the plotted value,
 * or that rescaled to [0, 1] with height "normalized"): glTF is y-up and right-handed, so the grid's
 * y runs away from a viewer looking down -z, as in the reference tool's plot_2D.py (matplotlib: x
 * right, y into the picture, z up); (x, height, y) would mirror it. The map (x, y, v) -> (x, v, -y)
 * is a rotation, so the mesh's counter-clockwise quads stay counter-clockwise seen from above: the
 * triangles face up. Viridis vertex colours over the finite range (COLOR_0, linear), quads as two
 * triangles; a 1-D landscape is a line strip of segments.
 * Non-finite points and the cells that touch them are left out (holes). The mesh's `extras` say
 * which surface it is and how its coordinates map to the grid.
 *
 * @example const bytes = surfaceToGlb(snapshot, { height: "normalized" });
 */
import { surfaceMesh } from "./mesh";
import { viridis } from "./obj";
import type { SurfaceView } from "./surface-view";

export interface GlbOptions {
  metric?: string;
  /** ln(value + 0.1), as the reference tool's VTK export. */
  log?: boolean;
  /** "value" (default) or "normalized" to [0, 1] over the finite range. */
  height?: "value" | "normalized";
}

const FLOAT = 5126;
const UINT32 = 5125;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;

/** sRGB (viridis' published colours) to the linear values glTF's COLOR_0 holds. */
function linear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export function surfaceToGlb(view: SurfaceView, opts: GlbOptions = {}): Uint8Array {
  const mesh = surfaceMesh(view, { metric: opts.metric, log: opts.log });
  const n = mesh.value.length;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of mesh.value) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  const positions = new Float32Array(n * 3);
  const colors = new Float32Array(n * 3);
  const min = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const max = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < n; i++) {
    const t = (mesh.value[i] - lo) / span;
    // -y + 0 writes 0, not -0, for y = 0 (a 1-D landscape, the grid's centre line).
    const p = [mesh.x[i], opts.height === "normalized" ? t : mesh.value[i], -mesh.y[i] + 0];
    for (let k = 0; k < 3; k++) {
      positions[i * 3 + k] = p[k];
      min[k] = Math.min(min[k], Math.fround(p[k]));
      max[k] = Math.max(max[k], Math.fround(p[k]));
    }
    const [r, g, b] = viridis(t);
    colors.set([linear(r), linear(g), linear(b)], i * 3);
  }
  // Quads (a, b, c, d) -> triangles (a, b, c) and (a, c, d), counter-clockwise seen from +height
  // (glTF's front faces); segments stay pairs.
  const quads = mesh.cellSize === 4;
  const cells = mesh.cells.length / mesh.cellSize;
  const indices = new Uint32Array(quads ? cells * 6 : cells * 2);
  for (let c = 0; c < cells; c++) {
    const q = mesh.cells.subarray(c * mesh.cellSize, (c + 1) * mesh.cellSize);
    if (quads) indices.set([q[0], q[1], q[2], q[0], q[2], q[3]], c * 6);
    else indices.set([q[0], q[1]], c * 2);
  }

  const parts = [positions, colors, indices];
  const offsets: number[] = [];
  let length = 0;
  for (const p of parts) {
    offsets.push(length);
    length = pad4(length + p.byteLength);
  }
  const bin = new Uint8Array(length);
  parts.forEach((p, k) => {
    bin.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offsets[k]);
  });
  const gltf = {
    asset: { version: "2.0", generator: "loss-landscape-lab" },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: mesh.quantity }],
    meshes: [
      {
        name: mesh.quantity,
        primitives: [
          {
            attributes: { POSITION: 0, COLOR_0: 1 },
            indices: 2,
            material: 0,
            mode: quads ? 4 : 1,
          },
        ],
        extras: {
          metric: mesh.metric,
          quantity: mesh.quantity,
          log: mesh.log,
          height: opts.height ?? "value",
          range: [lo, hi],
          colormap: "viridis",
          axes: view.grid.axes.map((a) => ({ label: a.label, min: a.min, max: a.max, count: a.count })),
          coordinates: "x = first grid axis, z = minus the second grid axis (0 for 1-D), y = height",
          skippedPoints: mesh.skipped,
        },
      },
    ],
    materials: [
      {
        name: "surface",
        pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], metallicFactor: 0, roughnessFactor: 1 },
        doubleSided: true,
      },
    ],
    buffers: [{ byteLength: length }],
    bufferViews: parts.map((p, k) => ({
      buffer: 0,
      byteOffset: offsets[k],
      byteLength: p.byteLength,
      target: k === 2 ? ELEMENT_ARRAY_BUFFER : ARRAY_BUFFER,
    })),
    accessors: [
      { bufferView: 0, componentType: FLOAT, count: n, type: "VEC3", min, max },
      { bufferView: 1, componentType: FLOAT, count: n, type: "VEC3" },
      { bufferView: 2, componentType: UINT32, count: indices.length, type: "SCALAR" },
    ],
  };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(gltf));
  const jsonLength = pad4(jsonBytes.length);
  const total = 12 + 8 + jsonLength + 8 + length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); // "glTF"
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLength, true);
  dv.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLength); // JSON chunks pad with spaces
  dv.setUint32(20 + jsonLength, length, true);
  dv.setUint32(24 + jsonLength, 0x004e4942, true); // "BIN\0"
  out.set(bin, 28 + jsonLength);
  return out;
}
