import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GifReader } from "omggif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { type AnimateOptions, animationPalette, planAnimation } from "../../src/core/export/animate";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { withWasmBackend } from "./helpers/backend";
import { cli } from "./helpers/cli";

withWasmBackend();

const now = () => new Date("2026-11-27T10:00:00Z");
/** A two-run race on a tiny model and grid. */
const race = {
  seed: 2,
  data: { name: "moons", trainCount: 48, testCount: 16 },
  model: { hiddenSizes: [6], activation: "tanh" },
  training: { batchSize: "full", epochs: 12, checkpointEvery: 4, optimizer: "sgd", learningRate: 0.5 },
  race: {
    runs: [
      { label: "SGD", optimizer: "sgd" },
      { label: "Adam", optimizer: "adam", learningRate: 0.05 },
    ],
  },
  directions: { method: "pca" },
  grid: { x: { count: 6 }, y: { count: 5 } },
};

let dir = "";
let raceFile = "";
let untrainedFile = "";
let lineFile = "";
let counter = 0;
const tmp = (name: string) => path.join(dir, `${++counter}-${name}`);

/** The decoded frames of a GIF, each composited over the previous one (as a viewer shows them). */
function decode(bytes: Uint8Array) {
  const reader = new GifReader(bytes);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  const frames: Uint8Array[] = [];
  const delays: number[] = [];
  for (let i = 0; i < reader.numFrames(); i++) {
    reader.decodeAndBlitFrameRGBA(i, rgba);
    frames.push(rgba.slice());
    delays.push(reader.frameInfo(i).delay);
  }
  return { width: reader.width, height: reader.height, loop: reader.loopCount(), frames, delays };
}

/** How many pixels of an RGBA frame have this colour. */
function count(frame: Uint8Array, [r, g, b]: number[]): number {
  let n = 0;
  for (let i = 0; i < frame.length; i += 4)
    if (frame[i] === r && frame[i + 1] === g && frame[i + 2] === b) n++;
  return n;
}

/** Runs animate expecting failure: exit 1, the message on stderr, no file written (not even a temporary one). */
async function refused(args: string[], message: RegExp): Promise<void> {
  const out = tmp("refused.gif");
  const r = await cli("animate", ...args, "--out", out, "--no-progress");
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
  const left = await readdir(dir);
  expect(left.filter((f) => f.includes(path.basename(out)))).toEqual([]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-animate-"));
  const { snapshot } = await runExperiment(resolveConfig(race), { backend: "wasm", now });
  raceFile = tmp("race.json");
  await writeFile(raceFile, serializeSnapshot(snapshot));
  // Its model and data with no training: no trajectory to replay.
  const from = await runExperiment(resolveConfig({ grid: { x: { count: 3 }, y: { count: 3 } } }), {
    backend: "wasm",
    now,
    from: snapshot,
  });
  untrainedFile = tmp("untrained.json");
  await writeFile(untrainedFile, serializeSnapshot(from.snapshot));
  const line = await runExperiment(
    resolveConfig({ ...race, race: undefined, directions: undefined, grid: { x: { count: 9 }, y: null } }),
    { backend: "wasm", now },
  );
  lineFile = tmp("line.json.gz");
  await writeFile(lineFile, serializeSnapshot(line.snapshot, { gzip: true }));
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("landscape animate", () => {
  it("writes a GIF with the requested frames, size and delay; the runs move and leave trails", async () => {
    const out = tmp("race.gif");
    const r = await cli(
      "animate",
      raceFile,
      "--to",
      "gif",
      "--out",
      out,
      "--frames",
      "7",
      "--size",
      "160x120",
      "--fps",
      "10",
      "--no-progress",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*race\.gif \(gif, 7 frames of 160 x 120 at 10\.0 fps, train_loss, SGD, Adam; \d+ bytes\)$/m,
    );
    const gif = decode(new Uint8Array(await readFile(out)));
    expect([gif.width, gif.height, gif.frames.length, gif.loop]).toEqual([160, 120, 7, 0]);
    // 1/10 s per frame; the last one held 1.5 s before the loop restarts.
    expect(gif.delays).toEqual([10, 10, 10, 10, 10, 10, 150]);
    const palette = animationPalette();
    const [first, last] = [gif.frames[0], gif.frames[6]];
    // The runs' colours (palette 5 and 6: SGD, Adam) grow from markers to markers with trails.
    for (const color of [palette[5], palette[6]]) {
      expect(count(first, color)).toBeGreaterThan(0);
      expect(count(last, color)).toBeGreaterThan(count(first, color));
    }
    // The heatmap's viridis ramp fills the plot.
    expect(count(last, palette[16]) + count(last, palette[255])).toBeGreaterThan(0);
    expect(Buffer.from(first).equals(Buffer.from(last))).toBe(false);
  });

  it("draws one run by its label or number, in its own colour", async () => {
    for (const which of ["Adam", "2"]) {
      const out = tmp(`adam-${which}.gif`);
      const r = await cli(
        "animate",
        raceFile,
        "--to",
        "gif",
        "--out",
        out,
        "--frames",
        "3",
        "--size",
        "120x100",
        "--trajectory",
        which,
        "--no-progress",
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("train_loss, Adam;");
      const gif = decode(new Uint8Array(await readFile(out)));
      expect(gif.frames).toHaveLength(3);
      const palette = animationPalette();
      expect(count(gif.frames[2], palette[6])).toBeGreaterThan(0);
      expect(count(gif.frames[2], palette[5])).toBe(0);
    }
  });

  it("animates a 1-D landscape (the curve with the marker on it) and other metrics, with --log", async () => {
    const out = tmp("line.gif");
    const r = await cli(
      "animate",
      lineFile,
      "--to",
      "gif",
      "--out",
      out,
      "--frames",
      "4",
      "--metric",
      "test_loss",
      "--log",
      "--no-progress",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 frames of 480 x 400 at 12\.5 fps, test_loss, training;/);
    expect(decode(new Uint8Array(await readFile(out))).frames).toHaveLength(4);
  });

  it("refuses bad options before anything is written", async () => {
    await refused(
      [raceFile, "--to", "gif", "--frames", "1"],
      /--frames must be an integer in \[2, 2000\], got 1/,
    );
    await refused([raceFile, "--to", "gif", "--size", "10x10"], /--size must be WIDTHxHEIGHT .*got 10x10/);
    await refused([raceFile, "--to", "mp4"], /--to must be one of gif/);
    await refused(
      [raceFile, "--to", "gif", "--trajectory", "RMSprop"],
      /trajectory "RMSprop": the snapshot's trajectories are "SGD", "Adam"; give one of them, its number \(1 to 2\) or all/,
    );
    // The same checks in process (each CLI run above costs a Node start): the plan refuses first.
    const snapshot = parseSnapshot(await readFile(raceFile));
    const refusedPlan: [AnimateOptions, RegExp][] = [
      [{ fps: 0 }, /fps must be a number in \[1, 50\], got 0/],
      [{ clip: 2 }, /clip must be a number in \(0, 1\], got 2/],
      [{ metric: "nope" }, /no surface "nope"; the snapshot has train_loss/],
      [
        { frames: 2000, width: 2048, height: 2048 },
        /2000 frames of 2048 x 2048 pixels are .* more than 250,000,000; use fewer frames or a smaller size/,
      ],
      [{ width: 64, height: 64, trajectory: "all" }, /64 x 64 pixels leave a plot of/],
    ];
    for (const [options, message] of refusedPlan)
      expect(() => planAnimation(snapshot, options)).toThrow(message);
  });

  it("refuses a bad snapshot, or one with nothing to replay, and writes nothing", async () => {
    await refused(
      [untrainedFile, "--to", "gif"],
      /untrained\.json: the snapshot has no trajectory to replay/,
    );
    const garbage = tmp("garbage.json");
    await writeFile(garbage, "not json at all");
    await refused([garbage, "--to", "gif"], /garbage\.json/);
    // A race whose recorded initialization does not fit the model, and a run with a column short.
    const text = JSON.parse(await readFile(raceFile, "utf8"));
    text.trajectory.initial = [1, 2, 3];
    const mismatched = tmp("mismatched.json");
    await writeFile(mismatched, JSON.stringify(text));
    await refused(
      [mismatched, "--to", "gif"],
      /trajectory\.initial: expected \d+ values \(model\.parameters\), got 3/,
    );
    // A run with a column short is refused by the section's schema (trajectory-section.test.ts).
  });
});
