import {
  BufferAttribute,
  BufferGeometry,
  DoubleSide,
  Mesh,
  MeshBasicMaterial,
  Raycaster,
  Vector3,
} from "three";
import { describe, expect, it } from "vitest";
import { buildSurface, type SurfaceRequest } from "../../src/core/surface/build";
import { fillLodIndex, lodStride } from "../../src/core/surface/mesh";
import { contourLevels, contourPositions } from "../../src/scene/contours";
import { buildSurfaceArrays } from "../../src/scene/geometry";
import { LatestBuild } from "../../src/scene/latest-build";
import { colormapLut, fitScale } from "../../src/scene/scale";
import { raycastSurface } from "../../src/scene/surface-raycast";

const lut = colormapLut("viridis");

/** A bumpy loss-like surface on an n x m grid, with NaN at the listed grid points. */
function bumps(nx: number, ny: number, holes: number[] = []): Float32Array {
  const v = new Float32Array(nx * ny);
  for (let iy = 0; iy < ny; iy++)
    for (let ix = 0; ix < nx; ix++) {
      const x = -1 + (2 * ix) / (nx - 1);
      const y = -1 + (2 * iy) / (ny - 1);
      v[iy * nx + ix] = 0.2 + x * x + 0.5 * y * y + 0.2 * Math.sin(5 * x) * Math.cos(4 * y);
    }
  for (const i of holes) v[i] = Number.NaN;
  return v;
}

function request(values: Float32Array, nx: number, ny: number, lodStrideValue = 1): SurfaceRequest {
  const scale = fitScale([values], { log: true, clipQuantile: 0.98 });
  return {
    values,
    nx,
    ny,
    scale: { lo: scale.lo, hi: scale.hi, log: scale.log },
    exaggeration: 1.5,
    lut,
    levels: contourLevels(8),
    lodStride: lodStrideValue,
  };
}

/** Area in world x-z covered by the first `count` indices' triangles (each counted once). */
function coveredArea(positions: Float32Array, index: Uint32Array, count: number): number {
  let area = 0;
  for (let t = 0; t < count; t += 3) {
    const [a, b, c] = [index[t], index[t + 1], index[t + 2]];
    const abx = positions[b * 3] - positions[a * 3];
    const abz = positions[b * 3 + 2] - positions[a * 3 + 2];
    const acx = positions[c * 3] - positions[a * 3];
    const acz = positions[c * 3 + 2] - positions[a * 3 + 2];
    area += Math.abs(abx * acz - abz * acx) / 2;
  }
  return area;
}

describe("a surface built in one call (what the surface worker does)", () => {
  it("has the arrays of updateSurfaceArrays with the scene's fitted scale, and its contour lines", () => {
    const values = bumps(23, 17, [40, 41, 200]);
    const r = request(values, 23, 17);
    const built = buildSurface(r);
    const scale = fitScale([values], { log: true, clipQuantile: 0.98 });
    const direct = buildSurfaceArrays(values, 23, 17, { scale, exaggeration: 1.5, lut });
    for (const key of ["positions", "normals", "colors", "heights", "index", "lineIndex"] as const)
      expect(built[key], key).toEqual(direct[key]);
    expect([built.indexCount, built.lineIndexCount]).toEqual([direct.indexCount, direct.lineIndexCount]);
    expect(built.contours).toEqual(contourPositions(direct.heights, 23, 17, contourLevels(8), 1.5));
    expect(Array.from(built.holes)).toEqual([40, 41, 200]);
  });

  it("draws no contour lines when asked for no levels, and no decimated index with stride 1", () => {
    const built = buildSurface({ ...request(bumps(9, 9), 9, 9), levels: [] });
    expect(built.contours.length).toBe(0);
    expect(built.lodIndexCount).toBe(0);
    expect(built.holes.length).toBe(0);
  });

  it("has the bounding sphere three computes from the positions", () => {
    const built = buildSurface(request(bumps(31, 19, [7]), 31, 19));
    const geometry = new BufferGeometry();
    geometry.setAttribute("position", new BufferAttribute(built.positions, 3));
    geometry.computeBoundingSphere();
    const sphere = geometry.boundingSphere;
    if (!sphere) throw new Error("no bounding sphere");
    expect(built.sphere).toEqual([sphere.center.x, sphere.center.y, sphere.center.z, sphere.radius]);
  });

  it("rejects values that do not match the grid", () => {
    expect(() => buildSurface(request(new Float32Array(10), 4, 4))).toThrow(/10 values, expected 4 x 4 = 16/);
  });
});

describe("the decimated mesh drawn while the camera moves", () => {
  it("uses every stride-th row and column, about 100 cells a side at most", () => {
    expect([lodStride(51), lodStride(101), lodStride(102), lodStride(201), lodStride(401)]).toEqual([
      1, 1, 2, 2, 4,
    ]);
  });

  it("covers exactly the cells the full mesh draws, in a quarter of the triangles", () => {
    for (const holes of [[], [5 * 41 + 7, 30 * 41 + 30, 40]]) {
      const built = buildSurface(request(bumps(41, 41, holes), 41, 41, 2));
      const full = coveredArea(built.positions, built.index, built.indexCount);
      const coarse = coveredArea(built.positions, built.lodIndex, built.lodIndexCount);
      expect(coarse).toBeCloseTo(full, 10);
      if (holes.length === 0) expect(built.lodIndexCount).toBe(built.indexCount / 4);
      else expect(built.lodIndexCount).toBeLessThan(built.indexCount / 2);
    }
  });

  it("handles grids whose size is not a multiple of the stride, and keeps the corner order", () => {
    const heights = new Float32Array(6 * 4).fill(0.5);
    const out = new Uint32Array(5 * 3 * 6);
    const count = fillLodIndex(heights, 6, 4, 2, out);
    // Blocks: x 0-2, 2-4, 4-5; y 0-2, 2-3 -> 6 quads.
    expect(count).toBe(6 * 6);
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 2, 12, 2, 14, 12]);
    expect(Array.from(out.subarray(30, 36))).toEqual([16, 17, 22, 17, 23, 22]);
    expect(() => fillLodIndex(heights, 6, 4, 0, out)).toThrow(/positive integer, got 0/);
    expect(() => fillLodIndex(heights, 6, 4, 2, new Uint32Array(4))).toThrow(/needs 90 entries, got 4/);
  });
});

describe("picking by walking the cells under the ray", () => {
  it("finds the hits three's Mesh.raycast finds, holes included", () => {
    const nx = 33;
    const ny = 21;
    const built = buildSurface(request(bumps(nx, ny, [100, 101, 102, 133, 300, 301]), nx, ny));
    const geometry = new BufferGeometry();
    geometry.setAttribute("position", new BufferAttribute(built.positions, 3));
    geometry.setIndex(new BufferAttribute(built.index.slice(0, built.indexCount), 1));
    const mesh = new Mesh(geometry, new MeshBasicMaterial({ side: DoubleSide }));
    const raycaster = new Raycaster();
    let seed = 3;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    let hits = 0;
    for (let k = 0; k < 400; k++) {
      // Cameras all around and above, aiming at points of the box (some rays miss, some graze).
      const origin = new Vector3(random() * 6 - 3, random() * 3 - 0.5, random() * 6 - 3);
      const target = new Vector3(random() * 2.4 - 1.2, random(), random() * 2.4 - 1.2);
      raycaster.set(origin, target.sub(origin).normalize());
      const expected = raycaster.intersectObject(mesh)[0];
      const t = raycastSurface(
        built.positions,
        built.heights,
        nx,
        ny,
        raycaster.ray.origin.toArray(),
        raycaster.ray.direction.toArray(),
      );
      if (expected === undefined) expect(t, `ray ${k}`).toBeNull();
      else {
        hits++;
        expect(t, `ray ${k}`).not.toBeNull();
        expect(t).toBeCloseTo(expected.distance, 6);
      }
    }
    expect(hits).toBeGreaterThan(100);
  });

  it("misses a surface that is all holes, and hits straight down through a cell", () => {
    const heights = new Float32Array(9).fill(Number.NaN);
    const positions = new Float32Array(27);
    expect(raycastSurface(positions, heights, 3, 3, [0, 1, 0], [0, -1, 0])).toBeNull();
    const flat = buildSurface({ ...request(new Float32Array(9).fill(1), 3, 3), levels: [] });
    expect(raycastSurface(flat.positions, flat.heights, 3, 3, [0.3, 2, -0.2], [0, -1, 0])).toBeCloseTo(2, 9);
  });
});

/** A build whose promise the test settles by hand. */
function manualBuilds() {
  const pending: { request: number; resolve(v: string): void; reject(e: Error): void }[] = [];
  const build = (request: number) =>
    new Promise<string>((resolve, reject) => {
      pending.push({ request, resolve, reject });
    });
  return { pending, build };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("latest-only builds", () => {
  it("build one request at a time and drop a result older than the latest request", async () => {
    const { pending, build } = manualBuilds();
    const delivered: string[] = [];
    const builds = new LatestBuild<number, string>(
      build,
      (r) => `here ${r}`,
      () => {},
    );
    builds.request(1, (v) => delivered.push(v));
    builds.request(2, (v) => delivered.push(v));
    builds.request(3, (v) => delivered.push(v));
    expect(pending.map((p) => p.request)).toEqual([1]); // 2 was replaced by 3 before it started
    pending[0].resolve("built 1");
    await flush();
    expect(delivered).toEqual([]); // stale: values changed while it was built
    expect(pending.map((p) => p.request)).toEqual([1, 3]);
    pending[1].resolve("built 3");
    await flush();
    expect(delivered).toEqual(["built 3"]);
    expect(builds.busy).toBe(false);
  });

  it("build on this thread when the worker fails, then and from then on", async () => {
    const { pending, build } = manualBuilds();
    const delivered: string[] = [];
    const builds = new LatestBuild<number, string>(
      build,
      (r) => `here ${r}`,
      () => {},
    );
    builds.request(1, (v) => delivered.push(v));
    pending[0].reject(new Error("the surface worker failed to start"));
    await flush();
    expect(delivered).toEqual(["here 1"]);
    builds.request(2, (v) => delivered.push(v));
    expect(delivered).toEqual(["here 1", "here 2"]); // at once, no worker any more
    expect(pending).toHaveLength(1);
  });

  it("report an error of the fallback build, and deliver nothing after dispose", async () => {
    const { pending, build } = manualBuilds();
    const errors: unknown[] = [];
    const delivered: string[] = [];
    const builds = new LatestBuild<number, string>(
      build,
      () => {
        throw new Error("surface has 10 values");
      },
      (e) => errors.push(e),
    );
    builds.request(1, (v) => delivered.push(v));
    pending[0].reject(new Error("crashed"));
    await flush();
    expect(errors.map((e) => (e as Error).message)).toEqual(["surface has 10 values"]);
    const later = new LatestBuild<number, string>(
      build,
      (r) => `here ${r}`,
      () => {},
    );
    later.request(5, (v) => delivered.push(v));
    later.dispose();
    pending[1].resolve("built 5");
    await flush();
    expect(delivered).toEqual([]);
  });

  it("take requests again after start(), and never deliver a build started before dispose()", async () => {
    const { pending, build } = manualBuilds();
    const delivered: string[] = [];
    const builds = new LatestBuild<number, string>(
      build,
      (r) => `here ${r}`,
      () => {},
    );
    builds.request(1, (v) => delivered.push(v));
    builds.dispose(); // React's first, simulated unmount in development
    builds.start();
    pending[0].resolve("built 1");
    await flush();
    expect(delivered).toEqual([]);
    builds.request(2, (v) => delivered.push(v));
    pending[1].resolve("built 2");
    await flush();
    expect(delivered).toEqual(["built 2"]);
  });
});
