import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { DATASET_NAMES, parseDatasetSpec } from "../../src/core/data/spec";
import { fromExperimentConfig, settingsProblems, toExperimentConfig } from "../../src/state/config-map";
import type { AnyKind } from "../../src/state/kinds";
import {
  CLASSIFICATION_DATASETS,
  defaultSettings,
  isActive,
  propertyOf,
  SETTING_KEYS,
  type Settings,
} from "../../src/state/properties";
import { createAppStore } from "../../src/state/store";
import { decodeHash, encodeHash } from "../../src/state/url";
import { startUrlSync, type UrlEnv } from "../../src/state/url-sync";
import { applyValues } from "../../src/state/validate";

/** Any value a kind accepts. */
function kindArbitrary(kind: AnyKind): fc.Arbitrary<unknown> {
  switch (kind.type) {
    case "number":
      return fc.double({
        min: kind.min,
        max: kind.max,
        minExcluded: kind.minExclusive,
        maxExcluded: kind.maxExclusive,
        noNaN: true,
      });
    case "integer":
      return fc.integer({ min: kind.min, max: kind.max });
    case "optionalInteger":
      return fc.option(fc.integer({ min: kind.min, max: kind.max }), { nil: null });
    case "optionalNumber":
      return fc.option(
        fc.double({
          min: kind.min,
          max: kind.max,
          minExcluded: kind.minExclusive,
          maxExcluded: kind.maxExclusive,
          noNaN: true,
        }),
        { nil: null },
      );
    case "enum":
      return fc.constantFrom(...kind.options);
    case "boolean":
      return fc.boolean();
    case "intList":
      return fc.array(fc.integer({ min: kind.min, max: kind.max }), {
        minLength: kind.minLength,
        maxLength: kind.maxLength,
      });
    case "numberList":
      return fc.array(fc.double({ min: kind.min, max: kind.max, noNaN: true }), {
        minLength: kind.minLength,
        maxLength: kind.maxLength,
      });
    case "batch":
      return fc.oneof(fc.constant("full"), fc.integer({ min: kind.min, max: kind.max }));
    case "axis": {
      const axis = fc
        .tuple(
          fc.double({ min: -kind.bound, max: kind.bound, noNaN: true }),
          fc.double({ min: -kind.bound, max: kind.bound, noNaN: true }),
          fc.integer({ min: kind.minCount, max: kind.maxCount }),
        )
        .filter(([a, b]) => a !== b)
        .map(([a, b, count]) => ({ min: Math.min(a, b), max: Math.max(a, b), count }));
      return kind.nullable ? fc.option(axis, { nil: null }) : axis;
    }
  }
}

/** Valid states as the store holds them: each key keeps its default or takes any value of its kind; cross-field rules hold. */
const settingsArbitrary: fc.Arbitrary<Settings> = fc
  .record(
    Object.fromEntries(
      SETTING_KEYS.map((key) => {
        const p = propertyOf(key);
        // Through check(), as the store stores values (it also turns -0 into 0).
        const value = kindArbitrary(p.kind).map((v) => (p.kind.check(v) as { value: unknown }).value);
        return [key, fc.oneof(fc.constant(structuredClone(p.default)), value)];
      }),
    ),
  )
  .map((values) => ({ ...defaultSettings(), ...values }) as Settings)
  .filter((s) => settingsProblems(s).length === 0);

describe("URL hash", () => {
  it("is empty for the defaults", () => {
    expect(encodeHash(defaultSettings())).toBe("");
  });

  it("writes only the values that differ from the defaults, in table order", () => {
    const s = { ...defaultSettings(), lr: 0.02, ds: "moons" as const, hid: [16, 8], gy: null, log: false };
    expect(encodeHash(s)).toBe("ds=moons&hid=16,8&lr=0.02&gy=none&log=0");
    expect(encodeHash({ ...defaultSettings(), hid: [] })).toBe("hid=");
  });

  it("round-trips every valid state: decode(encode(s)) on the defaults is s", () => {
    fc.assert(
      fc.property(settingsArbitrary, (s) => {
        const { values, problems } = decodeHash(`#${encodeHash(s)}`);
        expect(problems).toEqual([]);
        expect({ ...defaultSettings(), ...values }).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  it("turns every valid state into a config that resolveConfig accepts", () => {
    fc.assert(
      fc.property(settingsArbitrary, (s) => {
        expect(() => resolveConfig(toExperimentConfig(s))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const { problems } = decodeHash(text);
        expect(Array.isArray(problems)).toBe(true);
      }),
    );
    expect(decodeHash("#%E0%A4%A=1").problems[0]).toMatch(/not properly escaped/);
  });

  it("keeps the valid keys and names the key and the value of each bad or unknown one", () => {
    const { values, problems } = decodeHash("#lr=abc&ep=20&zz=1&hid=64,x&gx=1,-1,5&ds=mnist&wire");
    expect(values).toEqual({ ep: 20 });
    expect(problems).toEqual([
      'URL key "lr" (Learning rate): must be a number in (0, 100], got "abc"; ignored',
      'unknown URL key "zz" (value "1") ignored',
      'URL key "hid" (Hidden sizes): must be a comma-separated list of at most 32 integers in [1, 4096], got "64,x"; ignored',
      expect.stringMatching(/^URL key "gx" \(x axis\): must be "min,max,count" .*got "1,-1,5"; ignored$/),
      'URL key "ds" (Dataset): must be one of moons, circles, spirals, xor, blobs, sine, polynomial, got "mnist"; ignored',
      'URL key "wire" has no value; ignored',
    ]);
  });

  it("lets the last of a repeated key count, and drops it when that one is bad", () => {
    expect(decodeHash("ep=20&ep=30")).toMatchObject({ values: { ep: 30 } });
    expect(decodeHash("ep=20&ep=x").values).toEqual({});
  });

  it("reads escaped values", () => {
    expect(decodeHash("#bs=full&lr=1e%2B1").values).toEqual({ bs: "full", lr: 10 });
  });
});

/** A window stand-in: location, history.replaceState, hashchange listeners; timers are vitest's. */
function fakeEnv(hash: string) {
  const listeners = new Set<() => void>();
  const writes: string[] = [];
  const env: UrlEnv = {
    location: { hash, pathname: "/lab/", search: "?x=1" },
    history: {
      state: null,
      replaceState(_data, _unused, url) {
        writes.push(url);
        const i = url.indexOf("#");
        env.location.hash = i < 0 ? "" : url.slice(i);
      },
    },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    setTimeout: (handler, ms) => setTimeout(handler, ms),
    clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  };
  const navigate = (next: string) => {
    env.location.hash = next;
    for (const l of listeners) l();
  };
  return { env, writes, listeners, navigate };
}

describe("startUrlSync", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("applies the hash on start, posts its problems and rewrites it in canonical form", () => {
    const { env, writes } = fakeEnv("#ds=moons&lr=nope&n=300");
    const store = createAppStore();
    const stop = startUrlSync(store, { env });
    expect(store.getState().settings).toMatchObject({ ds: "moons", n: 300, lr: 0.01 });
    expect(store.getState().messages.map((m) => m.text)).toEqual([
      'URL key "lr" (Learning rate): must be a number in (0, 100], got "nope"; ignored',
    ]);
    expect(writes).toEqual(["/lab/?x=1#ds=moons&n=300"]);
    stop();
  });

  it("writes settings changes once, debounced", () => {
    const { env, writes } = fakeEnv("");
    const store = createAppStore();
    const stop = startUrlSync(store, { env, delayMs: 150 });
    store.getState().set("lr", 0.02);
    store.getState().set("lr", 0.03);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(150);
    expect(writes).toEqual(["/lab/?x=1#lr=0.03"]);
    store.getState().set("lr", 0.01);
    vi.advanceTimersByTime(150);
    expect(writes.at(-1)).toBe("/lab/?x=1");
    stop();
  });

  it("follows hashchange, starting from the defaults, and stops listening after cleanup", () => {
    const { env, navigate, listeners } = fakeEnv("#lr=0.5");
    const store = createAppStore();
    const stop = startUrlSync(store, { env });
    navigate("#ep=7");
    expect(store.getState().settings).toEqual({ ...defaultSettings(), ep: 7 });
    stop();
    expect(listeners.size).toBe(0);
    store.getState().set("ep", 8);
    vi.advanceTimersByTime(1000);
    expect(env.location.hash).toBe("#ep=7");
  });

  it("writes a pending change on cleanup", () => {
    const { env, writes } = fakeEnv("");
    const store = createAppStore();
    const stop = startUrlSync(store, { env });
    store.getState().set("ep", 9);
    stop();
    expect(writes).toEqual(["/lab/?x=1#ep=9"]);
  });
});

describe("the flat- and sharp-minima settings (sam, lnoise, shp, shps)", () => {
  const HASH = "ds=moons&lnoise=0.2&opt=sgd&lr=0.05&bs=full&sam=0.05&shp=5&shps=256";

  it("round-trip URL -> settings -> config -> resolveConfig -> settings -> URL", () => {
    const decoded = decodeHash(`#${HASH}`);
    expect(decoded.problems).toEqual([]);
    const applied = applyValues(defaultSettings(), decoded.values);
    expect(applied.problems).toEqual([]);
    const s = applied.settings;
    expect(s).toMatchObject({ lnoise: 0.2, sam: 0.05, shp: 5, shps: 256 });

    const config = toExperimentConfig(s);
    expect(config.training).toMatchObject({ sam: { rho: 0.05 }, sharpnessEvery: 5, sharpnessSamples: 256 });
    expect(config.data).toMatchObject({ name: "moons", labelNoise: 0.2 });
    const resolved = resolveConfig(config);
    expect(resolved.training.sam).toEqual({ rho: 0.05 });
    expect(resolved.training).toMatchObject({ sharpnessEvery: 5, sharpnessSamples: 256 });
    expect(resolved.data).toMatchObject({ labelNoise: 0.2 });

    const back = fromExperimentConfig(resolved);
    expect(back.problems).toEqual([]);
    expect(back.values).toMatchObject({ lnoise: 0.2, sam: 0.05, shp: 5, shps: 256 });
    // The resolved config pins every seed; the four new keys come back as they were.
    const { sam, lnoise, shp, shps } = back.values;
    expect(encodeHash({ ...s, sam, lnoise, shp, shps } as Settings)).toBe(HASH);
    expect(encodeHash(s)).toBe(HASH);
  });

  it("leave SAM and label noise out of the config when off, and read their absence as off", () => {
    const config = toExperimentConfig(defaultSettings()) as {
      training: Record<string, unknown>;
      data: Record<string, unknown>;
    };
    expect(config.training).not.toHaveProperty("sam");
    expect(config.data).not.toHaveProperty("labelNoise");
    expect(config.training).toMatchObject({ sharpnessEvery: 0, sharpnessSamples: 1024 });
    const off = decodeHash("#sam=none");
    expect(off).toEqual({ values: { sam: null }, problems: [], route: null });
    expect(fromExperimentConfig({}).values).toMatchObject({ sam: null, lnoise: 0, shp: 0, shps: 1024 });
    expect(
      fromExperimentConfig({
        training: { sam: { rho: 0.1 }, sharpnessEvery: 3 },
        data: { name: "xor", labelNoise: 0.3 },
      }).values,
    ).toMatchObject({ sam: 0.1, shp: 3, lnoise: 0.3 });
  });

  it("send label noise for classification datasets only", () => {
    const s = { ...defaultSettings(), ds: "sine" as const, lnoise: 0.2 };
    expect(toExperimentConfig(s).data).not.toHaveProperty("labelNoise");
    expect(() => resolveConfig(toExperimentConfig(s))).not.toThrow();
    for (const name of DATASET_NAMES) {
      const classification = (CLASSIFICATION_DATASETS as readonly string[]).includes(name);
      expect(isActive("lnoise", { ds: name }), name).toBe(classification);
      // The table's list is the dataset schema's: classification specs take labelNoise, the others refuse it.
      const parse = () => parseDatasetSpec({ name, labelNoise: 0.1 });
      if (classification) expect(parse, name).not.toThrow();
      else expect(parse, name).toThrow(/classification datasets only/);
    }
    expect(fromExperimentConfig({ data: { name: "sine", labelNoise: 0.2 } }).problems[0]).toMatch(
      /labelNoise.*classification datasets only/,
    );
  });

  it("refuse bad values with a message naming the key", () => {
    const { values, problems } = decodeHash("#sam=0&lnoise=1&shp=-1&shps=0&sam=x");
    expect(values).toEqual({});
    expect(problems).toEqual([
      'URL key "sam" (SAM rho): must be a number in (0, 10] or none, got "0"; ignored',
      'URL key "lnoise" (Label noise): must be a number in [0, 1), got "1"; ignored',
      'URL key "shp" (Sharpness every): must be an integer in [0, 10000000], got "-1"; ignored',
      'URL key "shps" (Sharpness samples): must be an integer in [1, 1000000], got "0"; ignored',
      'URL key "sam" (SAM rho): must be a number in (0, 10] or none, got "x"; ignored',
    ]);
    const store = createAppStore();
    expect(store.getState().set("sam", -1)).toEqual({
      ok: false,
      message: "SAM rho (sam): must be a number in (0, 10] or none, got -1",
    });
    expect(store.getState().set("shp", 2.5)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Sharpness every \(shp\)/),
    });
    expect(store.getState().settings).toEqual(defaultSettings());
  });
});
