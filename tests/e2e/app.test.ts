/**
 * The app shell against the production build in real headless Chromium: the compute worker
 * starts with the wasm backend, the self-check passes, nothing complains on the console, the
 * page is cross-origin isolated, and tfjs stays out of the main-thread bundle.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";

const skipReason = inject("e2eSkipReason");
const distDir = inject("distDir");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/**
 * Strings only tfjs code contains (kernel and flag names survive minification; function names
 * such as registerKernel do not, but are listed for unminified builds). Not "setBackend": the
 * app store has its own setBackend action (the job's backend label), so that name is no marker.
 */
const TFJS_MARKERS = [
  "tfjs-core",
  "registerKernel",
  "kernelName",
  "BatchMatMul",
  "FusedMatMul",
  "Conv2DBackpropFilter",
  "WASM_HAS_SIMD_SUPPORT",
  "CHECK_COMPUTATION_FOR_ERRORS",
  "TENSORLIKE_CHECK_SHAPE_CONSISTENCY",
];

/** Relative ES imports of a built chunk: `import"./a.js"`, `from"./b.js"`, `import("./c.js")`. */
function chunkImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g))
    found.add(m[1]);
  return [...found];
}

/** Every JS file index.html loads on the main thread: its scripts, modulepreloads and their imports. */
function mainThreadChunks(dist: string): string[] {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const entries = [
    ...[...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)].map((m) => m[1]),
  ].map((src) => join(dist, src.replace(/^\//, "")));
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const rel of chunkImports(readFileSync(file, "utf8"))) queue.push(resolve(dirname(file), rel));
  }
  return [...seen];
}

describe.skipIf(skipReason !== "")("the app shell in headless Chromium", () => {
  let session: BrowserSession;
  let statusText = "";
  let statusState = "";

  beforeAll(async () => {
    session = await openBrowser(inject("chromiumPath"));
    await session.page.addInitScript(
      "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    await session.page.goto(inject("e2eBaseUrl"), { waitUntil: "load" });
    const status = session.page.getByTestId("status");
    // Wait for the worker to answer either way, then let late console messages arrive.
    await status.and(session.page.locator(':not([data-state="starting"])')).waitFor({ timeout: 90_000 });
    statusText = (await status.textContent()) ?? "";
    statusState = (await status.getAttribute("data-state")) ?? "";
    await session.page.waitForTimeout(300);
  });

  afterAll(async () => {
    await session?.close();
  });

  it("declares a Content-Security-Policy without eval, and trains and draws a landscape under it", async () => {
    const html = readFileSync(join(distDir, "index.html"), "utf8");
    const policy = html
      .match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1]
      ?.replaceAll("&#39;", "'");
    expect(policy, "CSP meta tag in dist/index.html").toBeDefined();
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).toContain("object-src 'none'");
    const { page } = session;
    await page.locator('[data-testid="progress"][data-phase="done"]').waitFor({ timeout: 90_000 });
    expect(await page.evaluate("window.__csp")).toEqual([]);
  });

  it("shows the header, the main area and the status bar", async () => {
    const { page } = session;
    await expect(page.title()).resolves.toBe("Loss Landscape Lab");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Loss Landscape Lab");
    expect(await page.locator("main").count()).toBe(1);
    expect(await page.getByTestId("status").isVisible()).toBe(true);
  });

  it("reports the worker ready on the wasm backend with a passing self-check", () => {
    // "· evaluation path ..." and "· trained by ..." follow once a landscape is shown (the first run
    // may not have ended yet).
    expect(statusText).toMatch(
      /^worker ready: wasm backend, \d+ workers?, self-check ok(· evaluation path [\w-]+ \((default|calibrated)\)(, [\d,]+ points\/s)?)?(· trained by [\w-]+( \(WebAssembly SIMD\))?)?$/,
    );
    expect(statusState).toBe("ready");
  });

  it("logs no console errors or warnings, no page errors and no failed requests on load", () => {
    // Known harmless warnings (THREE.Clock deprecation, SwiftShader read-back stalls) are filtered.
    expect(unexpectedProblems(session.problems)).toEqual([]);
  });

  it("is cross-origin isolated, so the wasm backend may use threads", async () => {
    expect(await session.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });

  it("saves a screenshot of the page", async () => {
    mkdirSync(artifactsDir, { recursive: true });
    const path = join(artifactsDir, "app.png");
    await session.page.screenshot({ path });
    expect(existsSync(path)).toBe(true);
  });
});

describe.skipIf(skipReason !== "")("the production bundle", () => {
  it("keeps tfjs out of the JavaScript that index.html loads on the main thread", () => {
    const chunks = mainThreadChunks(distDir);
    expect(chunks.length).toBeGreaterThan(0);
    for (const file of chunks) {
      const code = readFileSync(file, "utf8");
      for (const marker of TFJS_MARKERS) {
        expect(code.includes(marker), `${marker} found in main-thread chunk ${file}`).toBe(false);
      }
    }
  });

  it("puts tfjs into the compute worker chunk", () => {
    const assets = join(distDir, "assets");
    const workers = readdirSync(assets).filter((f) => /^compute\.worker-.*\.js$/.test(f));
    expect(workers).toHaveLength(1);
    const code = readFileSync(join(assets, workers[0]), "utf8");
    for (const marker of [
      "kernelName",
      "BatchMatMul",
      "FusedMatMul",
      "WASM_HAS_SIMD_SUPPORT",
      "setBackend",
    ]) {
      expect(code.includes(marker), `${marker} missing from ${workers[0]}`).toBe(true);
    }
    // The main chunk refers to the worker by URL only.
    const main = mainThreadChunks(distDir)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(main).toContain(workers[0]);
  });
});

describe.skipIf(skipReason !== "")("the app shell when the worker cannot load", () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openBrowser(inject("chromiumPath"));
  });

  afterAll(async () => {
    await session?.close();
  });

  it("shows a clear error in the status bar instead of waiting forever", async () => {
    const { page } = session;
    await page.route(/\/compute\.worker-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: "" }));
    await page.goto(inject("e2eBaseUrl"));
    const status = page.getByTestId("status");
    await status.and(page.locator('[data-state="error"]')).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toMatch(/^compute worker error: compute worker failed to start/);
    expect(session.problems.filter((p) => p.kind === "pageerror")).toEqual([]);
  });
});
