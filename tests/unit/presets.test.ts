import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/app/presets";
import { resolveConfig } from "../../src/core/config/resolve";

const folder = new URL("../../public/presets/", import.meta.url);
const presets = readdirSync(folder).filter((f) => f.endsWith(".json"));

describe("presets in public/presets", () => {
  it("include the default preset the README starts from", () => {
    expect(presets).toContain("default.json");
  });

  it("are exactly the ones the app's preset picker lists", () => {
    expect(PRESETS.map((p) => `${p.name}.json`).sort()).toEqual([...presets].sort());
  });

  for (const file of presets) {
    it(`${file} is a valid experiment config`, () => {
      const json = JSON.parse(readFileSync(new URL(file, folder), "utf8"));
      expect(() => resolveConfig(json)).not.toThrow();
    });
  }
});
