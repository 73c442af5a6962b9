/**
 * A new user's first visit, end to end in headless Chromium with a fresh profile: against the
 * production build (the suite's preview server), against `npm start`'s own server (started here
 * as a child process, building into a temporary folder, on a free port) and against the
 * development server (`npm run dev`'s, whose React StrictMode mounts the lab twice). Each loads
 * with no error message, no console error or warning and no failed request, and the time from
 * navigation to the first finished landscape is printed. A preset picked right after navigation,
 * while the workers still start, is what runs: the automatic first run does not replace it.
 *
 * The backend calibration that follows the first landscape is kept off webgpu (HIDE_WEBGPU_SCRIPT;
 * its initialization blanks the page's canvases here, lab.test.ts "first visit" shows that bug).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, RECORDERS_SCRIPT, recorded, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A wide bound only (timing must not flake on a busy machine); the figure itself is printed. */
const FIRST_LANDSCAPE_BOUND_MS = 30_000;
/** `npm start` builds the app first: minutes at worst on a loaded machine. */
const NPM_START_READY_MS = 300_000;

/** Records on `window.__pickedAt` when the preset picker first changed (performance.now() ms). */
const PICK_TIME_SCRIPT = `document.addEventListener("change", (e) => {
  if (e.target && e.target.dataset && e.target.dataset.testid === "ctl-preset") window.__pickedAt ??= performance.now();
}, true);`;

/**
 * Open a fresh browser (fresh profile) on `url` with the recorders (and `scripts`) installed;
 * the clock starts at navigation.
 */
async function openFresh(
  url: string,
  ...scripts: string[]
): Promise<{ session: BrowserSession; navigatedAt: number }> {
  const session = await openBrowser(inject("chromiumPath"));
  try {
    for (const script of [RECORDERS_SCRIPT, HIDE_WEBGPU_SCRIPT, ...scripts])
      await session.page.addInitScript(script);
    const navigatedAt = Date.now();
    await session.page.goto(url, { timeout: 120_000 });
    return { session, navigatedAt };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** The error messages on the page: error notices, alerts, and the status bar in its error state. */
async function errorsShown(session: BrowserSession): Promise<string[]> {
  const { page } = session;
  const notices = await page
    .locator('[data-testid="messages"] .level-error, [data-testid="messages"] .level-warn, [role="alert"]')
    .allTextContents();
  const status = page.getByTestId("status");
  const state = await status.getAttribute("data-state");
  return [...notices, ...(state === "error" ? [`status: ${await status.textContent()}`] : [])];
}

/**
 * Open `url` as a first visit, wait for the first finished landscape, print how long it took
 * from navigation, and check that nothing went wrong on the way.
 */
async function firstVisit(url: string, label: string): Promise<void> {
  const { session, navigatedAt } = await openFresh(url);
  try {
    const { page } = session;
    await waitForDone(page, 120_000);
    const ms = Date.now() - navigatedAt;
    const { phases } = await recorded(page);
    // The page's own clock too: from its navigation start to the moment the job said "done".
    const at = (phase: string) => Math.round(phases.find((p) => p.phase === phase)?.t ?? Number.NaN);
    console.log(
      `first visit (${label}): navigation to the first finished landscape in ${ms} ms ` +
        `(page clock: shown at ${at("idle")} ms, training ${at("training")}, sampling ${at("sampling")}, done ${at("done")})`,
    );
    expect(ms).toBeLessThan(FIRST_LANDSCAPE_BOUND_MS);
    expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 1681\/1681 grid points/);
    // One job ran: the automatic first run, nothing before it failed or was cancelled.
    expect(phases.map((p) => p.phase)).toEqual(["idle", "training", "sampling", "done"]);
    expect(await page.getByTestId("status").getAttribute("data-state")).toBe("ready");
    expect(await errorsShown(session)).toEqual([]);
    expect(unexpectedProblems(session.problems)).toEqual([]);
  } finally {
    await session.close();
  }
}

/** A TCP port nobody listens on now (the OS's pick); a small race is possible, --strictPort says so. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port")),
      );
    });
  });
}

describe.skipIf(skipReason !== "")("a first visit to the production build", () => {
  const baseUrl = inject("e2eBaseUrl");

  it("shows the first landscape with no error, console problem or failed request", async () => {
    await firstVisit(baseUrl, "production build");
  }, 150_000);

  it("runs a paths preset picked while the lab starts, with its panel, instead of the first run", async () => {
    const { session } = await openFresh(baseUrl, PICK_TIME_SCRIPT);
    try {
      const { page } = session;
      const picker = page.getByTestId("ctl-preset");
      await picker.selectOption("mode-connectivity");
      await waitForDone(page, 180_000);
      // The pick came before any job began (the workers take longer than that to start).
      const pickedAt = await page.evaluate(() => (window as unknown as { __pickedAt?: number }).__pickedAt);
      const training = (await recorded(page)).phases.find((p) => p.phase === "training")?.t;
      expect(pickedAt).toBeLessThan(training ?? Number.NaN);
      expect(await page.getByTestId("progress").textContent()).toMatch(
        /^done: \d+ paths and the 961-point plane in [\d.]+ s/,
      );
      // One job ran, the paths run: the first run neither ran first nor replaced it.
      expect((await recorded(page)).phases.map((p) => p.phase)).toEqual([
        "idle",
        "training",
        "sampling",
        "done",
      ]);
      await page.getByTestId("paths-panel").waitFor({ state: "visible", timeout: 10_000 });
      expect(await picker.inputValue()).toBe("mode-connectivity");
      expect(await errorsShown(session)).toEqual([]);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 240_000);
});

describe.skipIf(skipReason !== "")("a first visit to `npm start`'s own server (build + preview)", () => {
  let child: ChildProcess | null = null;
  let outDir = "";
  let url = "";
  let output = "";

  beforeAll(async () => {
    // Its own build folder (LAB_DIST), so the checkout's dist/ is never written by this test.
    outDir = mkdtempSync(join(tmpdir(), "lab-npm-start-"));
    const port = await freePort();
    child = spawn("npm", ["start", "--", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
      cwd: root,
      env: { ...process.env, LAB_DIST: outDir, npm_config_update_notifier: "false", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: npm runs the server as a grandchild, and the group is stopped as one.
      detached: true,
    });
    const started = child;
    url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not serve within ${NPM_START_READY_MS} ms:\n${output}`)),
        NPM_START_READY_MS,
      );
      const onData = (chunk: Buffer) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: strips colour codes
        output += chunk.toString().replace(/\u001b\[[0-9;]*m/g, "");
        const served = output.match(new RegExp(`http://[^\\s/]+:${port}/`));
        if (served) {
          clearTimeout(timer);
          resolveUrl(served[0]);
        }
      };
      started.stdout?.on("data", onData);
      started.stderr?.on("data", onData);
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}) before serving:\n${output}`));
      });
    });
  }, NPM_START_READY_MS + 10_000);

  afterAll(async () => {
    const running = child;
    if (running?.pid !== undefined && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((r) => running.once("exit", r));
      process.kill(-running.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (running.exitCode === null && running.signalCode === null) process.kill(-running.pid, "SIGKILL");
    }
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 30_000);

  it("built into LAB_DIST and serves it", () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("shows the first landscape with no error, console problem or failed request", async () => {
    await firstVisit(url, "npm start");
  }, 150_000);
});

describe.skipIf(skipReason !== "")("a first visit to the development server (React StrictMode)", () => {
  let server: ViteDevServer | null = null;
  let cacheDir = "";
  let url = "";

  beforeAll(async () => {
    // Its own dependency cache, so this test neither needs nor disturbs another dev server's.
    cacheDir = mkdtempSync(join(tmpdir(), "lab-dev-cache-"));
    server = await createServer({
      root,
      cacheDir,
      logLevel: "warn",
      server: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === "string") throw new Error("the dev server has no TCP address");
    url = `http://127.0.0.1:${address.port}/`;
    // A person's dev server has served the page before: one visit first, so the measured one
    // does not include the one-time dependency optimization (and its reload).
    const warmUp = await openBrowser(inject("chromiumPath"));
    try {
      await warmUp.page.goto(url, { timeout: 200_000 });
      await waitForDone(warmUp.page, 200_000);
    } finally {
      await warmUp.close();
    }
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it("shows the first landscape with no error (the lab StrictMode stopped reports nothing)", async () => {
    await firstVisit(url, "development server");
  }, 240_000);
});
