/**
 * HDF5 export and import in the layout of tomgoldstein/loss-landscape. Files are checked twice:
 * with our reader, and independently with h5wasm's Node entry reading the bytes from disk, as the
 * reference scripts (h5py) would see them.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as nodeH5 from "h5wasm/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  directionsToHdf5,
  type H5Lib,
  h5LibFromModule,
  loadH5wasm,
  readHdf5Directions,
  readHdf5Surface,
  snapshotWithImportedSurface,
  surfaceToHdf5,
} from "../../src/core/export";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { reviewSnapshot } from "../../src/core/snapshot/semantics";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { lineSnapshot, lossAt, planeSnapshot, regressionLineSnapshot, XS, YS } from "./export-fixture";

let lib: H5Lib;
let dir = "";
let counter = 0;

beforeAll(async () => {
  lib = await loadH5wasm();
  await nodeH5.ready;
  dir = await mkdtemp(path.join(tmpdir(), "landscape-h5-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Bit patterns, so that NaN and -0 count. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

interface DatasetView {
  shape: number[];
  dtype: string;
  values: number[];
  attrs: Record<string, unknown>;
}

/** Everything in an HDF5 file, read from disk by h5wasm's Node entry (not by our reader). */
async function independentRead(bytes: Uint8Array): Promise<{
  keys: string[];
  attrs: Record<string, unknown>;
  datasets: Record<string, DatasetView>;
  groups: Record<string, { keys: string[]; attrs: Record<string, unknown> }>;
}> {
  const file = path.join(dir, `independent-${++counter}.h5`);
  await writeFile(file, bytes);
  const f = new nodeH5.File(file, "r");
  try {
    const datasets: Record<string, DatasetView> = {};
    const groups: Record<string, { keys: string[]; attrs: Record<string, unknown> }> = {};
    const attrsOf = (o: nodeH5.Group | nodeH5.Dataset) =>
      Object.fromEntries(Object.entries(o.attrs).map(([k, a]) => [k, a.value]));
    const visit = (g: nodeH5.Group, prefix: string) => {
      for (const key of g.keys()) {
        const name = prefix + key;
        const e = g.get(key);
        if (e instanceof nodeH5.Group) {
          groups[name] = { keys: e.keys(), attrs: attrsOf(e) };
          visit(e, `${name}/`);
        } else if (e instanceof nodeH5.Dataset) {
          const v = e.value;
          datasets[name] = {
            shape: e.shape ?? [],
            dtype: String(e.dtype),
            values: typeof v === "string" ? [] : Array.from(v as Float64Array),
            attrs: attrsOf(e),
          };
          if (typeof v === "string") datasets[name].attrs.__string = v;
        }
      }
    };
    visit(f, "");
    return { keys: f.keys().sort(), attrs: attrsOf(f), datasets, groups };
  } finally {
    f.close();
  }
}

/** An HDF5 file built by the test itself (for layouts our writer never makes). */
function handMade(build: (f: nodeH5.File) => void): Uint8Array {
  return writeWith(lib, build as never);
}

function writeWith(l: H5Lib, build: (f: InstanceType<H5Lib["File"]>) => void): Uint8Array {
  const name = `/tmp/hand-${++counter}.h5`;
  const f = new l.File(name, "w");
  try {
    build(f);
  } finally {
    f.close();
  }
  const bytes = l.FS.readFile(name, { encoding: "binary" }).slice();
  l.FS.unlink(name);
  return bytes;
}

describe("HDF5 surface export (reference layout)", () => {
  it("writes exactly the reference dataset names, shapes [ny, nx] and float64, as h5wasm's Node entry reads them", async () => {
    const file = await independentRead(surfaceToHdf5(lib, planeSnapshot()));
    expect(file.keys).toEqual([
      "test_acc",
      "test_loss",
      "train_acc",
      "train_loss",
      "xcoordinates",
      "ycoordinates",
    ]);
    expect(file.datasets.xcoordinates).toMatchObject({ shape: [3], dtype: "<d", values: XS });
    expect(file.datasets.ycoordinates).toMatchObject({ shape: [2], dtype: "<d", values: YS });
    for (const name of ["train_loss", "train_acc", "test_loss", "test_acc"]) {
      expect(file.datasets[name].shape, name).toEqual([2, 3]);
      expect(file.datasets[name].dtype, name).toBe("<d");
    }
    expect(file.groups).toEqual({});
    expect(file.attrs).toMatchObject({
      exported_by: expect.stringMatching(/^loss-landscape-lab /),
      producer: "loss-landscape-lab 0.1.0 (backend cpu)",
      x_normalization: "filter",
      y_method: "random",
      accuracy_units: "percent",
    });
  });

  it("puts the value at (x[ix], y[iy]) at row iy, column ix, the order of plot_2D.py's np.meshgrid(x, y)", async () => {
    const file = await independentRead(surfaceToHdf5(lib, planeSnapshot()));
    const z = file.datasets.train_loss.values;
    for (let iy = 0; iy < 2; iy++) {
      for (let ix = 0; ix < 3; ix++) expect(z[iy * 3 + ix], `(${ix}, ${iy})`).toBe(lossAt(XS[ix], YS[iy]));
    }
  });

  it("stores accuracies in percent (0-100) as the reference tool does, with a units attribute", async () => {
    const s = planeSnapshot();
    const file = await independentRead(surfaceToHdf5(lib, s));
    expect(file.datasets.train_acc.values).toEqual(Array.from(s.surfaces.train_accuracy, (v) => v * 100));
    expect(file.datasets.test_acc.values).toEqual([0, 100, 100, 0, 100, 0]);
    expect(file.datasets.train_acc.attrs.units).toBe("percent");
    expect(file.datasets.train_loss.values).toEqual(Array.from(s.surfaces.train_loss));
  });

  it("writes dir_file as a string when given", async () => {
    const file = await independentRead(surfaceToHdf5(lib, planeSnapshot(), { dirFile: "run.directions.h5" }));
    expect(file.keys).toContain("dir_file");
    expect(file.datasets.dir_file.attrs.__string).toBe("run.directions.h5");
  });

  it("round-trips a 2-D snapshot bit for bit, NaN and Infinity included, accuracies back to fractions", () => {
    const s = planeSnapshot();
    const back = readHdf5Surface(lib, surfaceToHdf5(lib, s, { dirFile: "d.h5" }), { source: "plane.h5" });
    expect(back.kind).toBe("imported-surface");
    expect(back.grid.axes).toEqual(s.grid.axes);
    expect(Array.from(back.coordinates[0])).toEqual(XS);
    expect(Array.from(back.coordinates[1])).toEqual(YS);
    expect(Object.keys(back.surfaces).sort()).toEqual(Object.keys(s.surfaces).sort());
    for (const [name, values] of Object.entries(s.surfaces))
      expect(bits(back.surfaces[name]), name).toEqual(bits(values));
    expect(back.names).toEqual({
      train_loss: "train_loss",
      train_accuracy: "train_acc",
      test_loss: "test_loss",
      test_accuracy: "test_acc",
    });
    expect(back.dirFile).toBe("d.h5");
    expect(back.attributes.x_normalization).toBe("filter");
    expect(back.warnings).toEqual([]);
  });

  it("round-trips a 1-D snapshot: xcoordinates only and surfaces of shape [nx]", async () => {
    const s = lineSnapshot();
    const bytes = surfaceToHdf5(lib, s);
    const file = await independentRead(bytes);
    expect(file.keys).toEqual(["train_acc", "train_loss", "xcoordinates"]);
    expect(file.datasets.train_loss.shape).toEqual([5]);
    expect(file.datasets.xcoordinates.values).toEqual([-2, -1, 0, 1, 2]);
    expect(file.datasets.train_acc.values).toEqual(Array.from(s.surfaces.train_accuracy, (v) => v * 100));
    const back = readHdf5Surface(lib, bytes);
    expect(back.grid.axes).toEqual([{ label: "x", min: -2, max: 2, count: 5 }]);
    expect(bits(back.surfaces.train_loss)).toEqual(bits(s.surfaces.train_loss));
    expect(bits(back.surfaces.train_accuracy)).toEqual(bits(s.surfaces.train_accuracy));
  });

  it("gives a 1-D regression the train_acc and test_acc plot_1D.py reads: NaN, marked undefined", async () => {
    const s = regressionLineSnapshot();
    expect(reviewSnapshot(s).problems).toEqual([]);
    const file = await independentRead(surfaceToHdf5(lib, s));
    // plot_1D.py: f['train_acc'][:] always, f['test_acc'][:] when 'test_loss' is in the file.
    expect(file.keys).toEqual(["test_acc", "test_loss", "train_acc", "train_loss", "xcoordinates"]);
    for (const name of ["train_acc", "test_acc"]) {
      expect(file.datasets[name]).toMatchObject({ shape: [5], dtype: "<d" });
      expect(file.datasets[name].values.every(Number.isNaN), name).toBe(true);
      expect(file.datasets[name].attrs.accuracy).toBe("undefined");
      expect(file.datasets[name].attrs.note).toBe(
        `accuracy is undefined for this landscape (regression, mse loss): all NaN, written because plot_1D.py always reads ${name}`,
      );
      expect(file.datasets[name].attrs.units, name).toBeUndefined();
    }
    expect(file.datasets.train_loss.values).toEqual(Array.from(s.surfaces.train_loss));
  });

  it("writes no accuracy placeholder for a 2-D regression or a 1-D landscape that has its accuracy", async () => {
    const line = regressionLineSnapshot();
    const plane: Snapshot = {
      ...planeSnapshot(),
      model: line.model,
      data: line.data,
      surfaces: { train_loss: planeSnapshot().surfaces.train_loss },
    };
    expect((await independentRead(surfaceToHdf5(lib, plane))).keys).toEqual([
      "train_loss",
      "xcoordinates",
      "ycoordinates",
    ]);
    const classification = await independentRead(surfaceToHdf5(lib, lineSnapshot()));
    expect(classification.datasets.train_acc.attrs.accuracy).toBeUndefined();
  });

  it("reads the placeholder back as no accuracy, with a warning, and imports the regression onto its base", () => {
    const s = regressionLineSnapshot();
    const back = readHdf5Surface(lib, surfaceToHdf5(lib, s), { source: "line.h5" });
    expect(Object.keys(back.surfaces)).toEqual(["train_loss", "test_loss"]);
    expect(back.names).toEqual({ train_loss: "train_loss", test_loss: "test_loss" });
    expect(bits(back.surfaces.test_loss)).toEqual(bits(s.surfaces.test_loss));
    expect(back.warnings).toEqual([
      "skipped test_acc: a NaN placeholder, not data (accuracy is undefined for this landscape (regression, mse loss): all NaN, written because plot_1D.py always reads test_acc)",
      "skipped train_acc: a NaN placeholder, not data (accuracy is undefined for this landscape (regression, mse loss): all NaN, written because plot_1D.py always reads train_acc)",
    ]);
    const merged = snapshotWithImportedSurface(s, back, { createdAt: "2026-12-01T00:00:00Z" });
    expect(Object.keys(merged.surfaces)).toEqual(["train_loss", "test_loss"]);
    expect(reviewSnapshot(merged).problems).toEqual([]);
  });

  it("skips an accuracy another writer filled with NaN alone, and still reads one with some numbers", () => {
    const file = (accuracy: Float64Array) =>
      handMade((f) => {
        f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
        f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2, 3) });
        f.create_dataset({ name: "train_acc", data: accuracy });
      });
    const allNaN = readHdf5Surface(lib, file(new Float64Array(3).fill(Number.NaN)), { source: "nan.h5" });
    expect(Object.keys(allNaN.surfaces)).toEqual(["train_loss"]);
    expect(allNaN.warnings).toEqual(["skipped train_acc: every value is NaN, so the file holds no accuracy"]);
    const some = readHdf5Surface(lib, file(Float64Array.of(Number.NaN, 50, 100)), { source: "some.h5" });
    expect(Array.from(some.surfaces.train_accuracy)).toEqual([Number.NaN, 0.5, 1]);
    expect(some.warnings).toEqual([]);
  });

  it("reads a file as plot_surface.py makes it: shape (nx, ny), values x fastest, -1 where not yet computed", () => {
    // x = linspace(-1, 1, 4), y = linspace(-1, 1, 3); crunch fills losses.ravel()[ind] at meshgrid(x, y).ravel()[ind].
    const xs = [-1, -1 / 3, 1 / 3, 1];
    const ys = [-1, 0, 1];
    const losses = new Float64Array(12).fill(-1);
    const acc = new Float64Array(12).fill(-1);
    for (let ind = 0; ind < 10; ind++) {
      losses[ind] = 22 + xs[ind % 4] + 10 * ys[Math.floor(ind / 4)];
      acc[ind] = (100 * (ind % 5)) / 5;
    }
    const bytes = handMade((f) => {
      f.create_dataset({ name: "dir_file", data: "model.t7_weights_xignore=biasbn_xnorm=filter.h5" });
      f.create_dataset({ name: "xcoordinates", data: Float64Array.from(xs) });
      f.create_dataset({ name: "ycoordinates", data: Float64Array.from(ys) });
      f.create_dataset({ name: "train_loss", data: losses, shape: [4, 3] });
      f.create_dataset({ name: "train_acc", data: acc, shape: [4, 3] });
    });
    const s = readHdf5Surface(lib, bytes, { source: "resnet.h5" });
    expect(s.grid.axes).toEqual([
      { label: "x", min: -1, max: 1, count: 4 },
      { label: "y", min: -1, max: 1, count: 3 },
    ]);
    expect(s.dirFile).toBe("model.t7_weights_xignore=biasbn_xnorm=filter.h5");
    for (let i = 0; i < 10; i++) {
      expect(s.surfaces.train_loss[i]).toBe(Math.fround(losses[i]));
      expect(s.surfaces.train_accuracy[i]).toBe(Math.fround(acc[i] / 100));
    }
    expect(Number.isNaN(s.surfaces.train_loss[10]) && Number.isNaN(s.surfaces.train_loss[11])).toBe(true);
    expect(s.warnings).toContain("train_loss: 2 of 12 values are -1 (not yet computed); imported as NaN");
    expect(s.warnings).toContain("train_acc: 2 of 12 values are -1 (not yet computed); imported as NaN");
  });

  it("imports other float datasets over the grid under their own names and skips the rest with a warning", () => {
    const bytes = handMade((f) => {
      f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
      f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2, 3) });
      f.create_dataset({ name: "max_eig", data: Float32Array.of(5, -1, 7) });
      f.create_dataset({ name: "notes", data: Float64Array.of(1, 2) });
      f.create_group("extra");
    });
    const s = readHdf5Surface(lib, bytes);
    expect(Object.keys(s.surfaces).sort()).toEqual(["max_eig", "train_loss"]);
    expect(Array.from(s.surfaces.max_eig)).toEqual([5, -1, 7]); // -1 is data here, not a mark
    expect(s.warnings).toEqual([
      "skipped extra: not a dataset",
      "skipped notes: float64 [2] is not a surface over the grid",
    ]);
  });

  it("refuses a surface whose dataset name would collide with another's", () => {
    const s = planeSnapshot();
    s.surfaces.train_acc = s.surfaces.train_accuracy;
    expect(() => surfaceToHdf5(lib, s)).toThrow(
      /surface train_acc would be written as dataset "train_acc", which is also the dataset of surface train_accuracy/,
    );
    const t = lineSnapshot();
    t.surfaces.xcoordinates = t.surfaces.train_loss;
    expect(() => surfaceToHdf5(lib, t)).toThrow(/"xcoordinates", which is a reserved name/);
  });

  it("works with both h5wasm entries through the adapter, leaving no scratch file behind", async () => {
    const scratch = await mkdtemp(path.join(dir, "scratch-"));
    const nodeLib = await h5LibFromModule(nodeH5, { scratchDir: scratch });
    const s = planeSnapshot();
    const fromNode = surfaceToHdf5(nodeLib, s);
    const fromEsm = surfaceToHdf5(lib, s);
    for (const [writer, reader] of [
      [fromNode, lib],
      [fromEsm, nodeLib],
    ] as const) {
      const back = readHdf5Surface(reader, writer);
      for (const [name, values] of Object.entries(s.surfaces))
        expect(bits(back.surfaces[name])).toEqual(bits(values));
    }
    expect(() => readHdf5Surface(nodeLib, fromNode.slice(0, 500))).toThrow(/truncated/);
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe("HDF5 directions export (reference layout)", () => {
  it("writes xdirection and ydirection with datasets 0..3 in PyTorch shapes ([out, in] kernels), float32", async () => {
    const s = planeSnapshot();
    const file = await independentRead(directionsToHdf5(lib, s));
    expect(file.keys).toEqual(["xdirection", "ydirection"]);
    expect(file.groups.xdirection.keys.sort()).toEqual(["0", "1", "2", "3"]);
    expect(file.groups.xdirection.attrs).toMatchObject({
      method: "random",
      normalization: "filter",
      bias: "zero",
      seed: "123",
    });
    const shapes = ["0", "1", "2", "3"].map((k) => file.datasets[`ydirection/${k}`].shape);
    expect(shapes).toEqual([[3, 2], [3], [2, 3], [2]]);
    for (const k of ["0", "1", "2", "3"]) expect(file.datasets[`xdirection/${k}`].dtype).toBe("<f");
    expect(file.datasets["xdirection/0"].attrs).toMatchObject({
      name: "dense_0/kernel",
      tfjs_shape: "[2, 3]",
    });
    // dense_0/kernel is [in 2, out 3] row-major: W[i][o] = d[i * 3 + o]; PyTorch's weight[o][i] = W[i][o].
    const d = s.directions[0].values;
    const torch = file.datasets["xdirection/0"].values;
    for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) expect(torch[o * 2 + i]).toBe(d[i * 3 + o]);
    expect(file.datasets["xdirection/1"].values).toEqual(Array.from(d.subarray(6, 9)));
  });

  it("reads the directions back into our layout bit for bit, 2-D and 1-D", () => {
    for (const s of [planeSnapshot(), lineSnapshot()]) {
      const back = readHdf5Directions(lib, directionsToHdf5(lib, s), s.model.layout, { source: "dirs.h5" });
      expect(back.directions.map((d) => d.label)).toEqual(s.directions.map((d) => d.label));
      back.directions.forEach((d, i) => {
        expect(bits(d.values)).toEqual(bits(s.directions[i].values));
        expect(d.attributes.normalization).toBe(s.directions[i].normalization);
      });
    }
  });

  it("refuses directions that do not fit the model's layout, naming the dataset and the expected shape", () => {
    const bytes = directionsToHdf5(lib, planeSnapshot());
    const wider = planeSnapshot().model.layout.map((e) => ({
      ...e,
      shape: e.shape.map((n) => (n === 3 ? 4 : n)),
    }));
    expect(() => readHdf5Directions(lib, bytes, wider, { source: "dirs.h5" })).toThrow(
      /dirs\.h5: xdirection\/0 has shape \[3, 2\], expected \[4, 2\] \(PyTorch order of dense_0\/kernel \[2, 4\]\)/,
    );
    const fewer = planeSnapshot().model.layout.slice(0, 2);
    expect(() => readHdf5Directions(lib, bytes, fewer)).toThrow(
      /xdirection has 4 datasets, the model has 2 tensors/,
    );
    const surface = surfaceToHdf5(lib, planeSnapshot());
    expect(() => readHdf5Directions(lib, surface, planeSnapshot().model.layout)).toThrow(
      /no xdirection group, so it is not a loss-landscape directions file \(it has xcoordinates: it is a surface file\)/,
    );
  });
});

describe("HDF5 import of bad files", () => {
  const good = () => surfaceToHdf5(lib, planeSnapshot());
  const cases: { name: string; bytes: () => Uint8Array; error: RegExp }[] = [
    { name: "empty bytes", bytes: () => new Uint8Array(0), error: /bad\.h5 is empty: not an HDF5 file/ },
    {
      name: "random bytes",
      bytes: () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255),
      error: /bad\.h5 is not an HDF5 file: no HDF5 signature/,
    },
    {
      name: "a JSON snapshot",
      bytes: () => new TextEncoder().encode('{"format":"loss-landscape-snapshot"}'),
      error: /not an HDF5 file/,
    },
    {
      name: "a truncated file",
      bytes: () => good().slice(0, 3000),
      error: /bad\.h5: HDF5 cannot open it: truncated file.*\(the file is truncated\)/,
    },
    {
      name: "an HDF5 signature followed by garbage",
      bytes: () => {
        const b = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31) & 255);
        b.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 0);
        return b;
      },
      error: /bad\.h5: HDF5 cannot open it: /,
    },
    {
      name: "a directions file",
      bytes: () => directionsToHdf5(lib, planeSnapshot()),
      error:
        /bad\.h5 has no xcoordinates dataset, so it is not a loss-landscape surface file \(it has xdirection: it is a directions file\)/,
    },
    {
      name: "a file without xcoordinates",
      bytes: () => handMade((f) => f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2) })),
      error: /has no xcoordinates dataset.*\(it holds train_loss\)/,
    },
    {
      name: "only coordinates",
      bytes: () => handMade((f) => f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1) })),
      error: /bad\.h5 has coordinates but no surface \(none of train_loss, train_acc, test_loss, test_acc\)/,
    },
    {
      name: "train_loss of the wrong shape",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
          f.create_dataset({ name: "ycoordinates", data: Float64Array.of(0, 1) });
          f.create_dataset({ name: "train_loss", data: new Float64Array(4), shape: [2, 2] });
        }),
      error:
        /bad\.h5: train_loss has shape \[2, 2\], expected \[2, 3\] \(\[ny, nx\]\) or \[3, 2\] for 3 x-coordinates and 2 y-coordinates/,
    },
    {
      name: "test_acc of integers",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
          f.create_dataset({ name: "test_acc", data: Int32Array.of(1, 2, 3) });
        }),
      error: /bad\.h5: dataset test_acc has dtype int32; expected float32 or float64/,
    },
    {
      name: "train_loss as a string",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
          f.create_dataset({ name: "train_loss", data: "1,2,3" });
        }),
      error: /dataset train_loss has dtype string; expected float32 or float64/,
    },
    {
      name: "train_loss as a group",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2) });
          f.create_group("train_loss");
        }),
      error: /bad\.h5: train_loss is not a dataset/,
    },
    {
      name: "unevenly spaced xcoordinates",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 0.1, 1) });
          f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2, 3) });
        }),
      error: /xcoordinates is not evenly spaced \(value 1 is 0\.1, a uniform grid has 0\.5\)/,
    },
    {
      name: "decreasing ycoordinates",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1) });
          f.create_dataset({ name: "ycoordinates", data: Float64Array.of(1, 0) });
          f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2, 3, 4), shape: [2, 2] });
        }),
      error: /ycoordinates must be finite and increasing, from 1 to 0/,
    },
    {
      name: "2-D xcoordinates",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0, 1, 2, 3), shape: [2, 2] });
          f.create_dataset({ name: "train_loss", data: Float64Array.of(1, 2, 3, 4) });
        }),
      error: /xcoordinates has shape \[2, 2\], expected 1-D/,
    },
    {
      name: "a single x-coordinate",
      bytes: () =>
        handMade((f) => {
          f.create_dataset({ name: "xcoordinates", data: Float64Array.of(0) });
          f.create_dataset({ name: "train_loss", data: Float64Array.of(1) });
        }),
      error: /xcoordinates has 1 value\(s\); a landscape axis needs at least 2/,
    },
  ];

  it.each(cases)("names the problem for $name", ({ bytes, error }) => {
    expect(() => readHdf5Surface(lib, bytes(), { source: "bad.h5" })).toThrow(error);
  });
});

describe("snapshot from an imported surface", () => {
  it("combines a base snapshot's model and data with the imported grid, surfaces and directions", () => {
    const base = planeSnapshot();
    const other = planeSnapshot();
    other.surfaces = { train_loss: other.surfaces.train_loss.map((v) => v * 2) };
    const surface = readHdf5Surface(lib, surfaceToHdf5(lib, other), { source: "pytorch.h5" });
    const directions = readHdf5Directions(lib, directionsToHdf5(lib, base), base.model.layout, {
      source: "d.h5",
    });
    const merged = snapshotWithImportedSurface(base, surface, {
      directions,
      createdAt: "2027-01-01T00:00:00Z",
    });
    const check = checkSnapshot(
      JSON.parse(JSON.stringify(merged, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v))),
    );
    expect(check.ok).toBe(true);
    expect(Object.keys(merged.surfaces)).toEqual(["train_loss"]);
    expect(bits(merged.surfaces.train_loss)).toEqual(bits(other.surfaces.train_loss));
    expect(merged.model).toBe(base.model);
    expect(merged.directions.map((d) => [d.method, d.normalization, d.bias, d.seed])).toEqual([
      ["random", "filter", "zero", 123],
      ["random", "filter", "zero", 124],
    ]);
    expect(merged.imported).toMatchObject({
      surfaces: "pytorch.h5",
      directions: "d.h5",
      datasets: { train_loss: "train_loss" },
    });
    expect(merged.createdAt).toBe("2027-01-01T00:00:00Z");
  });

  it("refuses a surface whose axes do not match the directions", () => {
    const base: Snapshot = planeSnapshot();
    const surface = readHdf5Surface(lib, surfaceToHdf5(lib, lineSnapshot()), { source: "line.h5" });
    expect(() => snapshotWithImportedSurface(base, surface)).toThrow(
      /line\.h5 has 1 grid axis but the snapshot has 2 directions; they must match/,
    );
  });
});
