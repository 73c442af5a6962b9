import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  directionsToHdf5,
  loadH5wasm,
  readHdf5Directions,
  readHdf5Surface,
  surfaceToCsv,
  surfaceToHdf5,
  surfaceToVtp,
} from "../../src/core/export";
import { parseSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { writeSnapshotFile } from "../../src/node/snapshot-file";
import { lineSnapshot, planeSnapshot } from "./export-fixture";
import { cli } from "./helpers/cli";

let dir = "";
let counter = 0;
const tmp = (name: string) => path.join(dir, `${++counter}-${name}`);
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

let plane = "";
let line = "";
/** Reference-layout files made in-process from the fixtures (fewer CLI runs). */
let planeH5 = "";
let planeDirectionsH5 = "";
let lineH5 = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-cli-export-"));
  plane = path.join(dir, "plane.json");
  line = path.join(dir, "line.json.gz");
  planeH5 = path.join(dir, "plane.h5");
  planeDirectionsH5 = path.join(dir, "plane.directions.h5");
  lineH5 = path.join(dir, "line.h5");
  const lib = await loadH5wasm();
  await Promise.all([
    writeSnapshotFile(plane, planeSnapshot()),
    writeSnapshotFile(line, lineSnapshot()),
    writeFile(planeH5, surfaceToHdf5(lib, planeSnapshot())),
    writeFile(planeDirectionsH5, directionsToHdf5(lib, planeSnapshot())),
    writeFile(lineH5, surfaceToHdf5(lib, lineSnapshot())),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** export that must succeed; returns the output path. */
async function exportOk(input: string, to: string, ...args: string[]): Promise<string> {
  const out = tmp(`out.${to}`);
  const r = await cli("export", input, "--to", to, "--out", out, ...args);
  expect(r.stderr, `export --to ${to}`).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(${to}, \\d+ bytes\\)\n$`),
  );
  return out;
}

describe.concurrent("landscape export", () => {
  it("writes a reference-layout HDF5 surface file that reads back to the snapshot's numbers", async () => {
    const out = await exportOk(plane, "hdf5", "--dir-file", "plane.directions.h5");
    const back = readHdf5Surface(await loadH5wasm(), await readFile(out));
    const s = planeSnapshot();
    expect(back.dirFile).toBe("plane.directions.h5");
    for (const [name, values] of Object.entries(s.surfaces))
      expect(Array.from(back.surfaces[name])).toEqual(Array.from(values));
  });

  it("writes the directions in the reference layout", async () => {
    const out = await exportOk(plane, "hdf5-directions");
    const s = planeSnapshot();
    const back = readHdf5Directions(await loadH5wasm(), await readFile(out), s.model.layout);
    expect(back.directions.map((d) => Array.from(d.values))).toEqual(
      s.directions.map((d) => Array.from(d.values)),
    );
  });

  it("writes VTK, CSV and OBJ, 2-D and 1-D (gzip snapshot input)", async () => {
    const [vtk, csv, obj, lineCsv] = await Promise.all([
      exportOk(plane, "vtk", "--metric", "test_accuracy", "--log"),
      exportOk(plane, "csv"),
      exportOk(plane, "obj", "--height", "normalized", "--colors"),
      exportOk(line, "csv"),
    ]);
    const vtkText = await readFile(vtk, "utf8");
    expect(vtkText.split("\n").slice(0, 5)).toEqual([
      "# vtk DataFile Version 3.0",
      "loss-landscape-lab 2-D surface: z = ln(test_accuracy + 0.1); 0 non-finite points left out",
      "ASCII",
      "DATASET POLYDATA",
      "POINTS 6 float",
    ]);
    expect(vtkText).toContain("SCALARS log_test_accuracy float 1");
    expect((await readFile(csv, "utf8")).split("\n")).toHaveLength(1 + 6 + 1);
    const objText = await readFile(obj, "utf8");
    expect(objText.match(/^v /gm)).toHaveLength(6);
    expect(objText.match(/^f /gm)).toHaveLength(2);
    expect((await readFile(lineCsv, "utf8")).split("\n")[0]).toBe("x,train_loss,train_accuracy");
  });

  it("writes JSON and gzipped JSON snapshots equal to the input", async () => {
    const [json, gz] = await Promise.all([
      exportOk(line, "json", "--arrays", "plain"),
      exportOk(plane, "json.gz"),
    ]);
    const jsonBytes = await readFile(json);
    expect(jsonBytes.toString("utf8")).toMatch(/"train_loss":\[2\.5,1\.25,0\.1,0\.9,3\.75\]/);
    const fromGz = await readFile(gz);
    expect([fromGz[0], fromGz[1]]).toEqual([0x1f, 0x8b]);
    const back = parseSnapshot(fromGz);
    expect(Array.from(back.surfaces.train_loss)).toEqual(Array.from(planeSnapshot().surfaces.train_loss));
    expect(parseSnapshot(jsonBytes).grid).toEqual(lineSnapshot().grid);
  });

  it("converts a reference-layout surface .h5 to VTK, VTP and CSV", async () => {
    const [csv, vtk, vtp] = await Promise.all([
      exportOk(planeH5, "csv"),
      exportOk(planeH5, "vtk"),
      exportOk(planeH5, "vtp", "--log"),
    ]);
    expect(await readFile(csv, "utf8")).toBe(surfaceToCsv(planeSnapshot()));
    expect(await readFile(vtk, "utf8")).toContain("POLYGONS 2 10");
    const vtpText = await readFile(vtp, "utf8");
    expect(vtpText).toBe(surfaceToVtp(planeSnapshot(), { log: true }));
    expect(vtpText).toContain('Name="log_train_loss"');
  });
});

interface BadExport {
  name: string;
  input?: () => Promise<string>;
  args: string[];
  error: RegExp;
}

const badExports: BadExport[] = [
  {
    name: "an unknown format",
    args: ["--to", "xlsx"],
    error: /--to must be one of hdf5, hdf5-directions, vtk, vtp, csv, obj, glb, png, json, json\.gz/,
  },
  {
    name: "a truncated snapshot",
    input: async () => {
      const text = await readFile(plane, "utf8");
      const file = tmp("truncated.json");
      await writeFile(file, text.slice(0, text.length / 2));
      return file;
    },
    args: ["--to", "csv"],
    error: /truncated\.json has 1 problem:\s+snapshot is not valid JSON: .*probably truncated/,
  },
  {
    name: "a snapshot that does not exist",
    input: async () => "/nonexistent/plane.json",
    args: ["--to", "vtk"],
    error: /cannot read \/nonexistent\/plane\.json: ENOENT/,
  },
  {
    name: "--log with csv",
    args: ["--to", "csv", "--log"],
    error: /--log applies to --to vtk or vtp or obj or glb or png, not csv/,
  },
  {
    name: "--dir-file with vtk",
    args: ["--to", "vtk", "--dir-file", "d.h5"],
    error: /--dir-file applies to --to hdf5, not vtk/,
  },
  {
    name: "a missing metric",
    args: ["--to", "obj", "--metric", "nope"],
    error: /no surface "nope"; the snapshot has train_loss, train_accuracy, test_loss, test_accuracy/,
  },
  {
    name: "an empty .h5",
    input: async () => {
      const file = tmp("empty.h5");
      await writeFile(file, "");
      return file;
    },
    args: ["--to", "csv"],
    error: /empty\.h5 is empty: not an HDF5 file/,
  },
  {
    name: "a text file named .h5",
    input: async () => {
      const file = tmp("notes.h5");
      await writeFile(file, "train_loss,0.5\n");
      return file;
    },
    args: ["--to", "vtk"],
    error: /notes\.h5 is not an HDF5 file: no HDF5 signature/,
  },
  {
    name: "json from a surface .h5",
    input: async () => planeH5,
    args: ["--to", "json"],
    error:
      /plane\.h5 is an HDF5 surface file \(no model, data or directions\): it exports to hdf5, vtk, vtp, csv, obj, glb, png, not json/,
  },
];

describe.concurrent("landscape export on bad input", () => {
  it.each(badExports)("fails with a clear message and writes nothing for $name", async (c) => {
    const input = c.input ? await c.input() : plane;
    const out = tmp("never-written");
    const r = await cli("export", input, "--out", out, ...c.args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error/);
    expect(r.stderr).toMatch(c.error);
    expect(r.stdout).not.toContain("wrote");
    expect(await exists(out)).toBe(false);
  });

  it("leaves no temporary file behind when the output folder is missing", async () => {
    const r = await cli("export", plane, "--to", "csv", "--out", path.join(dir, "missing", "x.csv"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write csv file .*x\.csv: its folder .*missing does not exist/);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe.concurrent("landscape import", () => {
  it("makes a valid snapshot from a surface .h5, its base snapshot and its directions .h5", async () => {
    const [h5, dirs] = [planeH5, planeDirectionsH5];
    const out = tmp("imported.json");
    const r = await cli("import", h5, "--base", plane, "--directions", dirs, "--out", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `wrote ${out} (surfaces train_loss, train_acc -> train_accuracy, test_loss, test_acc -> test_accuracy)\n`,
    );
    const s: Snapshot = parseSnapshot(await readFile(out)); // validates
    const original = planeSnapshot();
    for (const [name, values] of Object.entries(original.surfaces))
      expect(Array.from(s.surfaces[name])).toEqual(Array.from(values));
    expect(s.imported).toMatchObject({ surfaces: h5, directions: dirs });
  });

  it("refuses a surface whose axes do not match the base's directions, and writes nothing", async () => {
    const out = tmp("never.json");
    const r = await cli("import", lineH5, "--base", plane, "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has 1 grid axis but the snapshot has 2 directions; they must match/);
    expect(await exists(out)).toBe(false);
  });

  it("needs --base: a surface file alone holds no model or data", async () => {
    const r = await cli("import", plane, "--out", tmp("never.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/required option '--base <snapshot>' not specified/);
  });
});
