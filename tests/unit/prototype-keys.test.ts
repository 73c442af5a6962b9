/**
 * Prototype-safe reading: the keys "__proto__", "constructor" and "prototype", at every depth of a
 * snapshot (and in configs, URL hashes, HDF5 files), on the whole way a file travels: the reader,
 * the store (what Lab.show does with a snapshot), the URL state, the library and the exports.
 * Each must be kept as data (and round-trip) or be refused by name; none may change an object's
 * prototype. Checked with Object.getPrototypeOf on every object of every result, and on
 * Object.prototype itself (its own keys and its prototype, before and after).
 */
import "fake-indexeddb/auto"; // IndexedDB globals (IDBRequest, ...) that idb uses
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { surfaceToCsv } from "../../src/core/export/csv";
import { type H5Lib, loadH5wasm } from "../../src/core/export/h5";
import { readHdf5Surface, surfaceToHdf5 } from "../../src/core/export/hdf5-surface";
import { snapshotWithImportedSurface } from "../../src/core/export/imported";
import { surfaceToVtk } from "../../src/core/export/vtk";
import { gridPointCount } from "../../src/core/landscape/grid";
import { parseSnapshot, serializeSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { inThreadSnapshotCodec } from "../../src/library/snapshot-codec";
import { SnapshotDb } from "../../src/library/snapshot-db";
import { fromExperimentConfig } from "../../src/state/config-map";
import { configOrigin, shareLink } from "../../src/state/origin";
import { defaultSettings } from "../../src/state/properties";
import { historyOfSnapshot } from "../../src/state/snapshot-history";
import { createAppStore } from "../../src/state/store";
import { decodeHash } from "../../src/state/url";
import { applyValues } from "../../src/state/validate";
import { planeSnapshot } from "./export-fixture";

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;
/** The payloads of a pollution attempt: what a careless merge would put on a prototype. */
const PAYLOAD = () => ({
  polluted: true,
  prototype: { polluted: true },
  constructor: { prototype: { polluted: true } },
});

/** Object.prototype (and its kin) as they were when the tests started. */
const pristine = {
  object: Reflect.ownKeys(Object.prototype),
  array: Reflect.ownKeys(Array.prototype),
  func: Reflect.ownKeys(Function.prototype),
};

function expectPrototypesUntouched(): void {
  expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  expect(Reflect.ownKeys(Object.prototype)).toEqual(pristine.object);
  expect(Reflect.ownKeys(Array.prototype)).toEqual(pristine.array);
  expect(Reflect.ownKeys(Function.prototype)).toEqual(pristine.func);
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  expect(([] as unknown as { polluted?: unknown }).polluted).toBeUndefined();
}

afterEach(expectPrototypesUntouched);

const TYPED_PROTOTYPES = new Set<unknown>([
  Float32Array.prototype,
  Float64Array.prototype,
  Uint8Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
]);

/**
 * Every object reachable from `root` has the prototype its kind has (plain object, array, typed
 * array, Date, Map): none was given another by a key. Returns how many objects were checked.
 */
function expectOrdinaryPrototypes(root: unknown, what: string): number {
  const seen = new Set<unknown>();
  const stack: { value: unknown; path: string }[] = [{ value: root, path: what }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    const proto = Object.getPrototypeOf(value);
    if (ArrayBuffer.isView(value)) {
      expect(TYPED_PROTOTYPES.has(proto), `${path}: typed array prototype`).toBe(true);
      continue;
    }
    const expected = Array.isArray(value)
      ? Array.prototype
      : value instanceof Map
        ? Map.prototype
        : value instanceof Date
          ? Date.prototype
          : Object.prototype;
    expect(proto === expected, `${path}: prototype of ${Object.prototype.toString.call(value)}`).toBe(true);
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [k, v] of entries) stack.push({ value: v, path: `${path}.${String(k)}` });
  }
  return seen.size;
}

/** The fixture snapshot as a JSON value (plain arrays). */
function baseJson(): Record<string, unknown> {
  return JSON.parse(snapshotToJsonText(planeSnapshot(), { arrays: "plain" })) as Record<string, unknown>;
}

/** Every object (not array) of a JSON value, with its path; the root is []. */
function objectPaths(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const visit = (v: unknown, path: (string | number)[]) => {
    if (v === null || typeof v !== "object") return;
    if (!Array.isArray(v)) out.push(path);
    for (const [k, x] of Object.entries(v)) visit(x, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  visit(root, []);
  return out;
}

function at(root: unknown, path: readonly (string | number)[]): Record<string, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const k of path) node = node[k] as Record<string | number, unknown>;
  return node as Record<string, unknown>;
}

/** An own, enumerable property, even "__proto__" (as JSON.parse makes it; `obj[key] = ` would not). */
function defineKey(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** "surfaces.constructor" etc. as the reader writes paths. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}

/** The value a key gets in the snapshot: a surface must stay a surface (the grid's 6 values). */
function valueFor(path: readonly (string | number)[]): unknown {
  return path.length === 1 && path[0] === "surfaces" ? [1, 2, 3, 4, 5, 6] : PAYLOAD();
}

const text = (json: unknown) => new TextEncoder().encode(JSON.stringify(json));

describe("the snapshot reader", () => {
  const paths = objectPaths(baseJson());

  it("has objects at several depths to put keys into", () => {
    expect(paths.length).toBeGreaterThan(15);
    expect(Math.max(...paths.map((p) => p.length))).toBeGreaterThanOrEqual(3);
  });

  it('refuses "__proto__" by name wherever it is, as a JSON key or a nested one', () => {
    for (const path of [...paths, ["config", "deep", "er", "still"]]) {
      const json = baseJson();
      const config = json.config as Record<string, unknown>;
      config.deep = { er: { still: {} } };
      defineKey(at(json, path), "__proto__", valueFor(path));
      const where = pathText([...path, "__proto__"]);
      let error: unknown;
      try {
        parseSnapshot(text(json), { source: "hostile.json" });
      } catch (err) {
        error = err;
      }
      expect(error, where).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).problems).toContain(
        `${where}: the key "__proto__" is refused: JavaScript reads it as an object's prototype, not as data; rename it`,
      );
      expectPrototypesUntouched();
    }
  });

  it('keeps "constructor" and "prototype" as data at every depth, through a round trip, or refuses them by name', () => {
    const outcomes: Record<string, number> = { kept: 0, refused: 0 };
    for (const key of ["constructor", "prototype"]) {
      for (const path of paths) {
        const json = baseJson();
        defineKey(at(json, path), key, valueFor(path));
        const where = pathText([...path, key]);
        let snapshot: Snapshot;
        try {
          snapshot = parseSnapshot(text(json), { source: "odd.json" });
        } catch (err) {
          expect(err, where).toBeInstanceOf(SnapshotError);
          expect((err as SnapshotError).problems.join("\n"), where).toContain(where);
          outcomes.refused++;
          continue;
        }
        expectOrdinaryPrototypes(snapshot, where);
        const back = parseSnapshot(serializeSnapshot(snapshot, { arrays: "plain" }));
        expectOrdinaryPrototypes(back, where);
        const holder = path.length === 1 && path[0] === "surfaces" ? back.surfaces : at(back, path);
        expect(Object.hasOwn(holder, key), `${where} kept through a round trip`).toBe(true);
        if (path.length === 1 && path[0] === "surfaces") {
          expect(Array.from((holder as Record<string, Float32Array>)[key])).toEqual([1, 2, 3, 4, 5, 6]);
        } else {
          expect(JSON.parse(JSON.stringify((holder as Record<string, unknown>)[key]))).toEqual(PAYLOAD());
        }
        outcomes.kept++;
      }
    }
    // Every place takes them as data except where the format has no room for an object.
    expect(outcomes.kept).toBeGreaterThan(outcomes.refused);
    console.log(`constructor/prototype keys: ${JSON.stringify(outcomes)} (of ${2 * paths.length} places)`);
  });

  it("gives the snapshot, its sections and its arrays their ordinary prototypes", () => {
    const json = baseJson();
    for (const path of paths) {
      if (path.length === 1 && path[0] === "surfaces") continue;
      for (const key of ["constructor", "prototype"]) defineKey(at(json, path), key, PAYLOAD());
    }
    const snapshot = parseSnapshot(text(json));
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(snapshot.config)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(snapshot.surfaces)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(snapshot.model.parameters)).toBe(Float32Array.prototype);
    expect(expectOrdinaryPrototypes(snapshot, "snapshot")).toBeGreaterThan(40);
    // The data key shadows nothing that matters: the object's methods are still Object.prototype's.
    expect(snapshot.config.constructor).not.toBe(Object);
    expect(Object.hasOwn(snapshot.config, "constructor")).toBe(true);
  });
});

describe("the way to the store, the URL and the library", () => {
  /** A valid snapshot with "constructor" and "prototype" keys in its config (at two depths) and a surface named "constructor". */
  function oddSnapshot(): Snapshot {
    const json = baseJson();
    const config = json.config as Record<string, unknown>;
    defineKey(config, "constructor", PAYLOAD());
    defineKey(config, "prototype", { constructor: { prototype: { polluted: true } } });
    const surfaces = json.surfaces as Record<string, unknown>;
    defineKey(surfaces, "constructor", surfaces.train_loss);
    return parseSnapshot(text(json));
  }

  it("Lab.show's steps (origin, settings, landscape, history) keep every prototype", () => {
    const snapshot = oddSnapshot();
    const store = createAppStore();
    const st = store.getState();
    const origin = configOrigin("file", "odd.json", snapshot.config, st.settings);
    expect(origin.why).toMatch(/constructor|prototype/);
    st.adoptSettings(origin.settings, null);
    const total = gridPointCount(snapshot.grid);
    st.setLandscape({ snapshot, done: total, total, trajectory: undefined, origin });
    st.setHistory(historyOfSnapshot(snapshot));
    const state = store.getState();
    expect(Object.getPrototypeOf(state.settings)).toBe(Object.prototype);
    expect(state.settings).toEqual(defaultSettings());
    expectOrdinaryPrototypes(state.settings, "settings");
    expectOrdinaryPrototypes(state.landscape, "landscape");
    expectOrdinaryPrototypes(state.history, "history");
    // The link refuses to describe what the controls cannot hold, naming the keys.
    const link = shareLink(origin, state.settings);
    expect("reason" in link && link.reason).toMatch(/Unrecognized keys?: .*"constructor"/);
  });

  it("a preset or config with prototype keys at several depths is refused key by key; the settings keep their prototype", () => {
    const config = JSON.parse(
      '{"__proto__": {"lr": 5, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1,' +
        ' "training": {"__proto__": {"epochs": 3}, "constructor": {"prototype": {"x": 1}}, "learningRate": 0.02},' +
        ' "model": {"prototype": {"polluted": true}}}',
    ) as unknown;
    const mapped = fromExperimentConfig(config);
    expect(mapped.values).toEqual({});
    expect(mapped.problems).toEqual([
      'model: Unrecognized key: "prototype"',
      'training: Unrecognized keys: "__proto__", "constructor"',
      '(config): Unrecognized keys: "__proto__", "constructor", "prototype"',
    ]);
    const store = createAppStore();
    const before = store.getState().settings;
    store.getState().applyPreset("hostile", config);
    expect(store.getState().settings).toBe(before);
    expect(Object.getPrototypeOf(store.getState().settings)).toBe(Object.prototype);
    const problems = store
      .getState()
      .setMany(JSON.parse('{"__proto__": {"lr": 5}, "constructor": {"prototype": {}}, "lr": 0.03}'));
    expect(problems).toEqual(['unknown setting "__proto__"', 'unknown setting "constructor"']);
    expect(store.getState().settings.lr).toBe(0.03);
    expectOrdinaryPrototypes(store.getState().settings, "settings");
    const applied = applyValues(defaultSettings(), JSON.parse('{"__proto__": {"lr": 7}}'));
    expect(applied.changed).toEqual([]);
    expect(Object.getPrototypeOf(applied.settings)).toBe(Object.prototype);
  });

  it("a URL hash with prototype keys (plain and escaped) ignores each by name", () => {
    const decoded = decodeHash(
      "#__proto__=1&constructor=2&prototype=3&%5F%5Fproto%5F%5F=4&hasOwnProperty=5&lr=0.02",
    );
    expect(decoded.values).toEqual({ lr: 0.02 });
    expect(Object.getPrototypeOf(decoded.values)).toBe(Object.prototype);
    expect(decoded.problems).toEqual([
      'unknown URL key "__proto__" (value "1") ignored',
      'unknown URL key "constructor" (value "2") ignored',
      'unknown URL key "prototype" (value "3") ignored',
      'unknown URL key "__proto__" (value "4") ignored',
      'unknown URL key "hasOwnProperty" (value "5") ignored',
    ]);
    const store = createAppStore();
    store.getState().resetSettings(decoded.values);
    expect(store.getState().settings.lr).toBe(0.02);
    expectOrdinaryPrototypes(store.getState().settings, "settings");
  });

  it("the library saves and reopens the keys as data, and refuses a file with __proto__ by name", async () => {
    const db = await SnapshotDb.open(new IDBFactory(), inThreadSnapshotCodec);
    const id = await db.save("odd keys", oddSnapshot());
    const back = await db.load(id);
    expectOrdinaryPrototypes(back, "library entry");
    expect(Object.hasOwn(back.config, "constructor")).toBe(true);
    expect(Object.hasOwn(back.config, "prototype")).toBe(true);
    expect(Object.hasOwn(back.surfaces, "constructor")).toBe(true);
    await db.saveLast(back);
    expectOrdinaryPrototypes(await db.loadLast(), "last result");
    const list = await db.list();
    expectOrdinaryPrototypes(list, "list");

    const json = baseJson();
    defineKey(json.config as object, "__proto__", PAYLOAD());
    await expect(inThreadSnapshotCodec.parse(text(json), { source: "library entry" })).rejects.toThrow(
      /config\.__proto__: the key "__proto__" is refused/,
    );
  });
});

describe("the exports", () => {
  let lib: H5Lib;
  beforeAll(async () => {
    lib = await loadH5wasm();
  });

  it('write a surface named "constructor" as data and read it back as one', () => {
    const snapshot = {
      ...planeSnapshot(),
      surfaces: { ...planeSnapshot().surfaces },
    };
    defineKey(snapshot.surfaces, "constructor", Float32Array.from(snapshot.surfaces.train_loss));
    defineKey(snapshot.surfaces, "prototype", Float32Array.from(snapshot.surfaces.train_loss));
    const csv = surfaceToCsv(snapshot);
    expect(csv.split("\n")[0]).toMatch(/constructor/);
    expect(surfaceToVtk(snapshot, { metric: "constructor" })).toMatch(/z = constructor/);
    const h5 = surfaceToHdf5(lib, snapshot);
    const surface = readHdf5Surface(lib, h5, { source: "odd.h5" });
    expectOrdinaryPrototypes(surface, "imported surface");
    expect(Object.hasOwn(surface.surfaces, "constructor")).toBe(true);
    expect(Object.hasOwn(surface.surfaces, "prototype")).toBe(true);
    const merged = snapshotWithImportedSurface(planeSnapshot(), surface);
    expectOrdinaryPrototypes(merged, "merged");
    const json = new TextDecoder().decode(serializeSnapshot(merged, { arrays: "plain" }));
    expect(Object.hasOwn(parseSnapshot(json).surfaces, "constructor")).toBe(true);
  });

  it('refuse an HDF5 dataset named "__proto__" by name', () => {
    const good = planeSnapshot();
    const surfaces = { ...good.surfaces };
    defineKey(surfaces, "__proto__", good.surfaces.train_loss);
    const h5 = surfaceToHdf5(lib, { ...good, surfaces });
    expect(() => readHdf5Surface(lib, h5, { source: "proto.h5" })).toThrow(
      'proto.h5: the dataset name "__proto__" is refused: JavaScript reads it as an object\'s prototype, not as data; rename it',
    );
  });

  for (const key of PROTOTYPE_KEYS) {
    it(`leave Object.prototype alone when a snapshot's config holds "${key}" and is exported to JSON`, () => {
      const json = baseJson();
      defineKey(json.config as object, key, PAYLOAD());
      let out = "";
      try {
        out = new TextDecoder().decode(serializeSnapshot(parseSnapshot(text(json))));
      } catch (err) {
        expect(key).toBe("__proto__");
        expect((err as Error).message).toMatch(/config\.__proto__: the key "__proto__" is refused/);
        return;
      }
      const back = JSON.parse(out) as { config: Record<string, unknown> };
      expect(Object.hasOwn(back.config, key)).toBe(true);
    });
  }
});
