/**
 * Exports and imports end to end, against the production build in headless Chromium: every
 * format of the export menu is downloaded from the UI and checked in Node (the HDF5 files read
 * by h5wasm's Node entry, the glTF by three's GLTFLoader, the text formats counted, the PNG's
 * header and size); then the HDF5 surface file is dropped on the page and drawn as an imported
 * surface, broken HDF5 files (random bytes, truncated, a directions file, one that hangs the HDF5
 * library) leave that view exactly as it was with a message, and the snapshot is imported back.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as nodeH5 from "h5wasm/node";
import type { Page } from "playwright-core";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import {
  canvasStats,
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  legendTicks,
  RECORDERS_SCRIPT,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts", "exports");
const hangFixture = fileURLToPath(new URL("../unit/fixtures/hdf5-loops-forever.h5", import.meta.url));

/** The default experiment's grid: 41 x 41. */
const GRID = 41;
const POINTS = GRID * GRID;

const timings: Record<string, number> = {};

beforeAll(async () => {
  await nodeH5.ready;
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
});

afterAll(() => {
  if (Object.keys(timings).length > 0) console.log(`export e2e timings (ms): ${JSON.stringify(timings)}`);
});

/** Clicks one item of the export menu and saves the download; returns its name and bytes. */
async function download(page: Page, id: string): Promise<{ name: string; file: string; bytes: Uint8Array }> {
  const started = Date.now();
  if ((await page.getByTestId("export-formats").count()) === 0) await page.getByTestId("export-menu").click();
  const item = page.getByTestId(`export-${id}`);
  expect(
    await item.isDisabled(),
    `export-${id} is enabled (title: ${await item.getAttribute("title")})`,
  ).toBe(false);
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), item.click()]);
  const name = d.suggestedFilename();
  const file = join(artifactsDir, name);
  await d.saveAs(file);
  timings[`export ${id}`] = Date.now() - started;
  return { name, file, bytes: new Uint8Array(readFileSync(file)) };
}

/** Every dataset and group of an HDF5 file, read from disk by h5wasm's Node entry. */
function readH5(file: string) {
  const f = new nodeH5.File(file, "r");
  try {
    const entries: Record<string, { shape: number[]; values: number[] | string; dtype: string }> = {};
    const visit = (g: nodeH5.Group, prefix: string) => {
      for (const key of g.keys()) {
        const e = g.get(key);
        if (e instanceof nodeH5.Group) visit(e, `${prefix}${key}/`);
        else if (e instanceof nodeH5.Dataset) {
          const v = e.value;
          entries[prefix + key] = {
            shape: e.shape ?? [],
            dtype: String(e.dtype),
            values: typeof v === "string" ? v : Array.from(v as Float64Array),
          };
        }
      }
    };
    visit(f, "");
    return entries;
  } finally {
    f.close();
  }
}

function landscapeCanvas(page: Page) {
  return viewPicture(page);
}

/** A surface, not an empty scene: many colours and a good part of the canvas covered. */
async function expectDrawnSurface(page: Page): Promise<string> {
  const stats = await drawnCanvasStats(landscapeCanvas(page), 500);
  expect(stats.colours, "distinct colours in the 3D view").toBeGreaterThan(500);
  expect(stats.nonBackground, "fraction of drawn pixels").toBeGreaterThan(0.05);
  return stats.signature;
}

/** The messages shown, then cleared (through the page's scripting hook). */
async function takeMessages(page: Page): Promise<string[]> {
  const texts = await page.getByTestId("messages").locator(".ctl-notice span").allTextContents();
  await page.evaluate(() => globalThis.lossLandscapeLab?.store.getState().clearMessages());
  return texts;
}

/** Drops a file on the page as a person would (a DragEvent carrying it). */
async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ name, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(data)], name));
      window.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, cancelable: true }));
      window.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, cancelable: true }));
    },
    { name, data: Array.from(bytes) },
  );
}

/** Width and height from a PNG's IHDR chunk. */
function pngDimensions(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe.skipIf(skipReason !== "")("exports and imports", () => {
  let session: BrowserSession;
  let page: Page;
  let snapshot: Snapshot;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    session = await openBrowser(inject("chromiumPath"));
    page = session.page;
    await page.addInitScript(RECORDERS_SCRIPT);
    await page.addInitScript(HIDE_WEBGPU_SCRIPT);
    const started = Date.now();
    await page.goto(baseUrl);
    await waitForDone(page);
    timings["first landscape"] = Date.now() - started;
  });

  afterAll(async () => {
    await session?.close();
  });

  it("downloads the snapshot as .json.gz and .json", async () => {
    const gz = await download(page, "json.gz");
    expect(gz.name).toMatch(/^spirals-2-32-32-2-\d{8}-\d{4}\.json\.gz$/);
    expect([gz.bytes[0], gz.bytes[1]]).toEqual([0x1f, 0x8b]);
    snapshot = parseSnapshot(gz.bytes, { source: gz.name });
    expect(snapshot.surfaces.train_loss.length).toBe(POINTS);
    files.snapshot = gz.file;

    const json = await download(page, "json");
    expect(json.name).toBe(gz.name.replace(/\.gz$/, ""));
    expect(String.fromCharCode(json.bytes[0])).toBe("{");
    const plain = parseSnapshot(json.bytes, { source: json.name });
    expect(Array.from(plain.surfaces.train_loss)).toEqual(Array.from(snapshot.surfaces.train_loss));
  });

  it("downloads the HDF5 surface and directions files in the reference layout", async () => {
    const surface = await download(page, "hdf5");
    const directions = await download(page, "hdf5-directions");
    expect(surface.name).toMatch(/-surface\.h5$/);
    expect(directions.name).toMatch(/-directions\.h5$/);

    const s = readH5(surface.file);
    expect(Object.keys(s).sort()).toEqual([
      "dir_file",
      "test_acc",
      "test_loss",
      "train_acc",
      "train_loss",
      "xcoordinates",
      "ycoordinates",
    ]);
    expect(s.dir_file.values).toBe(directions.name);
    expect(s.xcoordinates.shape).toEqual([GRID]);
    expect(s.ycoordinates.shape).toEqual([GRID]);
    expect(s.train_loss.shape).toEqual([GRID, GRID]);
    expect(s.train_loss.values).toEqual(Array.from(snapshot.surfaces.train_loss));
    expect(s.train_acc.values).toEqual(Array.from(snapshot.surfaces.train_accuracy, (v) => v * 100));
    files.surface = surface.file;
    files.directions = directions.file;

    const d = readH5(directions.file);
    const layout = snapshot.model.layout;
    for (const group of ["xdirection", "ydirection"]) {
      const tensors = Object.keys(d).filter((k) => k.startsWith(`${group}/`));
      expect(tensors.length, group).toBe(layout.length);
      const total = tensors.reduce((n, k) => n + (d[k].values as number[]).length, 0);
      expect(total, `${group}: values`).toBe(snapshot.model.parameters.length);
    }
    // The first kernel is the tfjs [in, out] kernel transposed to PyTorch's [out, in].
    expect(d["xdirection/0"].shape).toEqual([...layout[0].shape].reverse());
  });

  it("downloads VTK, VTP, CSV and OBJ with one point per grid point", async () => {
    const vtk = new TextDecoder().decode((await download(page, "vtk")).bytes);
    expect(vtk.startsWith("# vtk DataFile Version 3.0\n")).toBe(true);
    expect(vtk).toContain(`POINTS ${POINTS} float`);
    expect(vtk).toContain(`POLYGONS ${(GRID - 1) ** 2} `);
    expect(vtk).toContain("SCALARS train_loss float 1");

    const vtp = new TextDecoder().decode((await download(page, "vtp")).bytes);
    expect(vtp).toContain('<VTKFile type="PolyData" version="1.0"');
    expect(vtp).toContain(
      `<Piece NumberOfPoints="${POINTS}" NumberOfVerts="0" NumberOfLines="0" NumberOfStrips="0" NumberOfPolys="${(GRID - 1) ** 2}">`,
    );

    const csv = new TextDecoder().decode((await download(page, "csv")).bytes);
    const rows = csv.trimEnd().split("\n");
    expect(rows[0]).toBe("x,y,train_loss,train_accuracy,test_loss,test_accuracy");
    expect(rows.length - 1).toBe(POINTS);
    expect(Math.fround(Number(rows[1].split(",")[2]))).toBe(snapshot.surfaces.train_loss[0]);

    const obj = new TextDecoder().decode((await download(page, "obj")).bytes);
    const lines = obj.split("\n");
    expect(lines.filter((l) => l.startsWith("v ")).length).toBe(POINTS);
    expect(lines.filter((l) => l.startsWith("f ")).length).toBe((GRID - 1) ** 2);
  });

  it("downloads the drawn surface as glTF binary, which three's GLTFLoader reads back with its colours", async () => {
    const glb = await download(page, "glb");
    expect(glb.name).toMatch(/-train_loss\.glb$/);
    expect(new TextDecoder().decode(glb.bytes.subarray(0, 4))).toBe("glTF");
    const buffer = glb.bytes.buffer.slice(glb.bytes.byteOffset, glb.bytes.byteOffset + glb.bytes.byteLength);
    const gltf = await new GLTFLoader().parseAsync(buffer as ArrayBuffer, "");
    const meshes: import("three").Mesh[] = [];
    gltf.scene.traverse((o) => {
      if ((o as import("three").Mesh).isMesh) meshes.push(o as import("three").Mesh);
    });
    expect(meshes.length).toBe(1);
    const geometry = meshes[0].geometry;
    expect(geometry.getAttribute("position").count).toBe(POINTS);
    expect(geometry.getAttribute("color").count).toBe(POINTS);
    expect(geometry.getAttribute("normal").count).toBe(POINTS);
    // Every grid cell is drawn (all values finite): two triangles each.
    expect(geometry.index?.count).toBe((GRID - 1) ** 2 * 6);
    const colours = new Set<string>();
    const c = geometry.getAttribute("color");
    for (let i = 0; i < c.count; i++)
      colours.add(`${c.getX(i).toFixed(3)},${c.getY(i).toFixed(3)},${c.getZ(i).toFixed(3)}`);
    expect(colours.size, "distinct vertex colours").toBeGreaterThan(100);
    expect(meshes[0].userData).toMatchObject({ metric: "train_loss", colormap: "viridis" });
    expect(meshes[0].userData.axes).toHaveLength(2);
  });

  it("downloads the 3D view as PNG at twice its size on screen", async () => {
    await page.getByTestId("export-menu").click();
    await page.getByTestId("export-png-scale").selectOption("2");
    const png = await download(page, "png");
    expect(png.name).toMatch(/-train_loss-2x\.png$/);
    expect(Array.from(png.bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const box = await landscapeCanvas(page).evaluate((el) => el.getBoundingClientRect().toJSON());
    const size = pngDimensions(png.bytes);
    expect(Math.abs(size.width - 2 * box.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(size.height - 2 * box.height)).toBeLessThanOrEqual(1);
    // The image shows the surface (decoded in the page), and the view on screen is drawn again.
    const colours = await page.evaluate(async (data) => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(data)], { type: "image/png" }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      if (!ctx) return 0;
      ctx.drawImage(bitmap, 0, 0);
      const pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 7)
        seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return seen.size;
    }, Array.from(png.bytes));
    expect(colours, "distinct colours in the PNG").toBeGreaterThan(500);
    await expect.poll(() => expectDrawnSurface(page).then(() => true)).toBe(true);
    const canvasSize = await landscapeCanvas(page).evaluate((el) => [
      (el as HTMLCanvasElement).width,
      el.clientWidth,
    ]);
    expect(canvasSize[0], "drawing buffer restored").toBeLessThan(2 * canvasSize[1]);
  });

  it("offers the glTF and PNG only while the 3D view is open", async () => {
    await page.getByTestId("tab-contour").click();
    await page.getByTestId("export-menu").click();
    for (const id of ["glb", "png"]) {
      expect(await page.getByTestId(`export-${id}`).isDisabled(), id).toBe(true);
      expect(await page.getByTestId(`export-${id}`).getAttribute("title"), id).toBe(
        "open the 3D surface tab",
      );
    }
    expect(await page.getByTestId("export-csv").isDisabled()).toBe(false);
    await page.keyboard.press("Escape");
    await page.getByTestId("tab-3d").click();
    await expect.poll(() => expectDrawnSurface(page).then(() => true), { timeout: 10_000 }).toBe(true);
  });

  it("shows a dropped HDF5 surface file as an imported surface, without recomputing", async () => {
    const ticks = await legendTicks(page);
    // Clear the landscape first, so that what is drawn next can only be the file's surface.
    await page.evaluate(() => globalThis.lossLandscapeLab?.lab?.reset());
    await page.getByText("No landscape yet").first().waitFor({ timeout: 5_000 });
    const started = Date.now();
    await dropFile(page, "reference-run.h5", new Uint8Array(readFileSync(files.surface)));
    await page.getByTestId("imported-surface").waitFor({ timeout: 20_000 });
    timings["import .h5"] = Date.now() - started;
    expect(await page.getByTestId("imported-surface").textContent()).toBe(
      "imported surface: reference-run.h5",
    );
    // The same numbers on the same scale: the legend is the exported landscape's.
    expect(await legendTicks(page)).toEqual(ticks);
    await expectDrawnSurface(page);
    expect(await page.getByTestId("messages").count()).toBe(0);
    // In the store: no landscape (no model), the file's surfaces as exported.
    const state = await page.evaluate(() => {
      const s = globalThis.lossLandscapeLab?.store.getState();
      return {
        landscape: s?.landscape ?? null,
        source: s?.imported?.snapshot.source,
        loss: Array.from(s?.imported?.snapshot.surfaces.train_loss ?? []),
      };
    });
    expect(state.landscape).toBeNull();
    expect(state.source).toBe("reference-run.h5");
    expect(state.loss).toEqual(Array.from(snapshot.surfaces.train_loss));
    // Only the surface formats: no model, data or directions in a surface file.
    await page.getByTestId("export-menu").click();
    expect(await page.getByTestId("export-json.gz").isDisabled()).toBe(true);
    expect(await page.getByTestId("export-hdf5-directions").isDisabled()).toBe(true);
    expect(await page.getByTestId("export-csv").isDisabled()).toBe(false);
    expect(await page.getByTestId("export-glb").isDisabled()).toBe(false);
    await page.keyboard.press("Escape");
    expect(await page.getByTestId("pin").isDisabled()).toBe(true);
  });

  it("leaves the imported surface exactly as it was for broken HDF5 files, with a message", async () => {
    const good = new Uint8Array(readFileSync(files.surface));
    const random = new Uint8Array(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    const cases: { name: string; bytes: Uint8Array; message: RegExp }[] = [
      {
        name: "random.h5",
        bytes: random,
        message: /^import of random\.h5 failed: is not an HDF5 file: no HDF5 signature/,
      },
      {
        name: "truncated.h5",
        bytes: good.subarray(0, Math.floor(good.length / 2)),
        message: /^import of truncated\.h5 failed: HDF5 cannot open it: .*truncated/,
      },
      {
        name: "directions.h5",
        bytes: new Uint8Array(readFileSync(files.directions)),
        message: /^import of directions\.h5 failed: has no xcoordinates dataset.*it is a directions file/,
      },
      {
        name: "hangs.h5",
        bytes: new Uint8Array(readFileSync(hangFixture)),
        message:
          /^import of hangs\.h5 failed: reading the HDF5 file did not finish within 6 s; the file is probably corrupt$/,
      },
    ];
    const ticks = await legendTicks(page);
    const before = (await canvasStats(landscapeCanvas(page))).signature;
    for (const c of cases) {
      const file = join(artifactsDir, c.name);
      writeFileSync(file, c.bytes);
      const started = Date.now();
      await page.getByTestId("import-file").setInputFiles(file);
      await page.getByTestId("messages").waitFor({ timeout: 20_000 });
      timings[`broken ${c.name}`] = Date.now() - started;
      const messages = await takeMessages(page);
      expect(messages, c.name).toHaveLength(1);
      expect(messages[0], c.name).toMatch(c.message);
      expect(await page.getByTestId("imported-surface").textContent()).toBe(
        "imported surface: reference-run.h5",
      );
      expect(await legendTicks(page)).toEqual(ticks);
      expect((await canvasStats(landscapeCanvas(page))).signature, c.name).toBe(before);
    }
  });

  it("imports the snapshot back (the imported surface gives way) and the console stayed clean", async () => {
    const ticks = await legendTicks(page);
    await page.getByTestId("import-file").setInputFiles(files.snapshot);
    await page.getByTestId("imported-surface").waitFor({ state: "detached", timeout: 10_000 });
    expect(await legendTicks(page)).toEqual(ticks);
    await expectDrawnSurface(page);
    expect(await page.getByTestId("export-json.gz").count()).toBe(0);
    expect(await page.getByTestId("pin").isDisabled()).toBe(false);
    expect(await page.getByTestId("messages").count()).toBe(0);
    // Every HDF5 worker was thrown away (the one that hung included).
    await expect
      .poll(() => page.workers().filter((w) => w.url().includes("hdf5")).length, { timeout: 10_000 })
      .toBe(0);
    expect(unexpectedProblems(session.problems)).toEqual([]);
  });
});
