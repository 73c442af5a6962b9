/**
 * Launch the system Chromium through playwright-core (no downloaded browsers here) with the
 * flags from ENVIRONMENT.md, and collect everything the page (and its workers) complains about.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--no-first-run",
  // Without these Chromium keeps trying to reach the (closed) network.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--enable-unsafe-webgpu",
];

export interface Problem {
  kind: "console.error" | "console.warning" | "pageerror" | "requestfailed" | "http";
  text: string;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings (page and workers), uncaught page errors, failed requests. */
  problems: Problem[];
  close(): Promise<void>;
}

/**
 * Console messages known to be harmless, matched exactly (kind and the start of the text). Every
 * other console error or warning fails the tests.
 */
const HARMLESS: { kind: Problem["kind"]; pattern: RegExp; why: string }[] = [
  {
    kind: "console.warning",
    pattern: /^THREE\.Clock: This module has been deprecated\. Please use THREE\.Timer instead\. \(/,
    why: "react-three-fiber 9.8 still creates a THREE.Clock, which three 0.187 deprecates",
  },
  {
    kind: "console.warning",
    pattern:
      /^\[\.WebGL-0x[0-9a-f]+\]GL Driver Message \(OpenGL, Performance, GL_CLOSE_PATH_NV, High\): GPU stall due to ReadPixels( \(this message will no longer repeat\))? \(/,
    why: "SwiftShader (headless Chromium's software GPU) reports every pixel read-back as a stall",
  },
];

/** The problems that are not on the HARMLESS list. */
export function unexpectedProblems(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => !HARMLESS.some((h) => h.kind === p.kind && h.pattern.test(p.text)));
}

/**
 * Marks the "What am I looking at?" explainer as dismissed before the page's scripts run, so that
 * the panel a first visitor sees does not sit over what a test looks at (classroom.test.ts opens
 * fresh profiles with `explainer: "fresh"` to test the panel itself).
 */
export const EXPLAINER_SEEN_SCRIPT = `try { localStorage.setItem("loss-landscape-lab.explainer", "seen"); } catch {}`;

export interface OpenBrowserOptions {
  /** Extra Chromium arguments. */
  args?: string[];
  /** The page's size in CSS pixels (default 1280 x 800). */
  viewport?: { width: number; height: number };
  /** "seen" (default): the explainer was dismissed before; "fresh": a first visit's profile. */
  explainer?: "seen" | "fresh";
}

/** @example const s = await openBrowser("/usr/bin/chromium"); await s.page.goto(url); await s.close(); */
export async function openBrowser(
  executablePath: string,
  options: OpenBrowserOptions = {},
): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    if ((options.explainer ?? "seen") === "seen") await context.addInitScript(EXPLAINER_SEEN_SCRIPT);
    const page = await context.newPage();
    const problems: Problem[] = [];
    // Console messages of dedicated workers arrive here too (ConsoleMessage.worker() is set).
    page.on("console", (msg) => {
      const type = msg.type();
      if (type !== "error" && type !== "warning") return;
      const where = msg.worker() ? " [worker]" : "";
      const loc = msg.location();
      problems.push({
        kind: type === "error" ? "console.error" : "console.warning",
        text: `${msg.text()}${where} (${loc.url}:${loc.lineNumber})`,
      });
    });
    page.on("pageerror", (err) => problems.push({ kind: "pageerror", text: err.stack ?? err.message }));
    page.on("requestfailed", (req) =>
      problems.push({ kind: "requestfailed", text: `${req.url()}: ${req.failure()?.errorText ?? "failed"}` }),
    );
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push({ kind: "http", text: `${res.status()} ${res.url()}` });
    });
    return {
      browser,
      context,
      page,
      problems,
      async close() {
        await context.close();
        await browser.close();
      },
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
