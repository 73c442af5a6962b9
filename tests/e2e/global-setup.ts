/**
 * Vitest globalSetup for the e2e project (runs once, in Node): finds Chromium, checks that the
 * production build exists, serves dist/ with Vite's preview server (same COOP/COEP headers as
 * vite.config.ts) and hands the URL and the browser path to the tests through `inject()`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { preview } from "vite";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the preview server, ending in "/"; empty when the tests are skipped. */
    e2eBaseUrl: string;
    /** Absolute path of the Chromium executable; empty when the tests are skipped. */
    chromiumPath: string;
    /** Why the browser tests are skipped (SKIP_E2E=1 and no Chromium); empty when they run. */
    e2eSkipReason: string;
    /** Absolute path of the production build. */
    distDir: string;
  }
}

const DEFAULT_CHROMIUM = "/usr/bin/chromium";

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = "!".repeat(width);
  return ["", rule, ...lines.map((l) => `!! ${l.padEnd(width - 4)}`), rule, ""].join("\n");
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve(project.config.root);
  // E2E_DIST: another build folder (e.g. `vite build --outDir /tmp/x`), so two checkouts' test
  // runs on one machine do not overwrite each other's build.
  const distDir = resolve(root, process.env.E2E_DIST || "dist");
  project.provide("distDir", distDir);
  project.provide("e2eBaseUrl", "");
  project.provide("chromiumPath", "");
  project.provide("e2eSkipReason", "");

  const chromiumPath = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!existsSync(chromiumPath)) {
    const wantsSkip = process.env.SKIP_E2E === "1";
    const inCi = Boolean(process.env.CI) && process.env.CI !== "false";
    if (wantsSkip && !inCi) {
      const reason = `Chromium not found at ${chromiumPath} and SKIP_E2E=1`;
      console.warn(
        banner([
          "E2E BROWSER TESTS ARE SKIPPED",
          reason,
          "Nothing was checked in a real browser.",
          "Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH) to run them.",
        ]),
      );
      project.provide("e2eSkipReason", reason);
      return async () => {};
    }
    throw new Error(
      banner([
        `Chromium not found at ${chromiumPath}: install it with \`apt-get install -y chromium\`,`,
        "or set SKIP_E2E=1 to skip the browser tests explicitly" +
          (inCi ? " (not allowed when CI is set)." : "."),
        "A different binary can be given with CHROMIUM_PATH=/path/to/chromium.",
      ]),
    );
  }

  if (!existsSync(resolve(distDir, "index.html"))) {
    throw new Error(
      banner([
        `No production build: ${resolve(distDir, "index.html")} is missing.`,
        "Run `npm run build` first (`npm run test:e2e` builds and then tests).",
      ]),
    );
  }

  // Loads vite.config.ts, so the preview server sends the same COOP/COEP headers as in production.
  const server = await preview({
    root,
    logLevel: "warn",
    build: { outDir: distDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === "string") {
    await server.close();
    throw new Error(`preview server has no TCP address (got ${String(address)})`);
  }
  project.provide("e2eBaseUrl", `http://127.0.0.1:${address.port}/`);
  project.provide("chromiumPath", chromiumPath);

  return async () => {
    await server.close();
  };
}
