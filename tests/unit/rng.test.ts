import { describe, expect, it } from "vitest";
import { createRng, deriveSeed, permutation } from "../../src/core/rng";

describe("seeded random numbers", () => {
  it("repeats the same stream for the same seed and differs for another", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it("draws uniforms in [0, 1) and standard normals with mean 0 and variance 1", () => {
    const rng = createRng(1);
    const u = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, v) => s + v, 0) / u.length).toBeCloseTo(0.5, 2);
    const z = Array.from({ length: 20000 }, () => rng.normal());
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });

  it("derives distinct, stable child seeds per label", () => {
    expect(deriveSeed(1, "data")).toBe(deriveSeed(1, "data"));
    expect(deriveSeed(1, "data")).not.toBe(deriveSeed(1, "init"));
    expect(deriveSeed(1, "data")).not.toBe(deriveSeed(2, "data"));
  });

  it("makes permutations of 0..n-1", () => {
    const p = Array.from(permutation(100, createRng(5))).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("rejects seeds that are not 32-bit unsigned integers", () => {
    expect(() => createRng(-1)).toThrow(/seed must be an integer/);
    expect(() => createRng(1.5)).toThrow(/seed must be an integer/);
    expect(() => createRng(2 ** 32)).toThrow(/seed must be an integer/);
    expect(() => createRng(1).int(0)).toThrow(/positive integer/);
  });
});
