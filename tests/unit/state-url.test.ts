import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../src/core/config/schema";
import { settingsProblems, toExperimentConfig } from "../../src/state/config-map";
import type { AnyKind } from "../../src/state/kinds";
import { defaultSettings, propertyOf, SETTING_KEYS, type Settings } from "../../src/state/properties";
import { createAppStore } from "../../src/state/store";
import { decodeHash, encodeHash } from "../../src/state/url";
import { startUrlSync, type UrlEnv } from "../../src/state/url-sync";

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
