import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hasPaths, PRESETS, presetStory } from "../../src/app/presets";
import { resolveConfig } from "../../src/core/config/resolve";
import { LESSONS } from "../../src/core/lessons/catalog";

const folder = new URL("../../public/presets/", import.meta.url);
const presets = readdirSync(folder).filter((f) => f.endsWith(".json"));

describe("presets in public/presets", () => {
  it("include the default preset the README starts from", () => {
    expect(presets).toContain("default.json");
  });

  it("are exactly the ones the app's preset picker lists", () => {
    expect(PRESETS.map((p) => `${p.name}.json`).sort()).toEqual([...presets].sort());
  });

  it("paths presets, and only they, tell a story (presets.json), as do the paths lessons of the same id", () => {
    for (const preset of PRESETS) {
      const config = JSON.parse(readFileSync(new URL(`${preset.name}.json`, folder), "utf8"));
      expect(preset.story !== undefined, preset.name).toBe(hasPaths(config));
    }
    for (const lesson of LESSONS.filter((l) => l.kind === "paths"))
      expect(presetStory(lesson.id)?.title, lesson.id).toMatch(/\w/);
  });

  for (const file of presets) {
    it(`${file} is a valid experiment config`, () => {
      const json = JSON.parse(readFileSync(new URL(file, folder), "utf8"));
      expect(() => resolveConfig(json)).not.toThrow();
    });
  }
});
