/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer).
const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * Content-Security-Policy of the built app, as a <meta> tag in index.html (so any static host
 * serves it). Scripts only from the app's own origin, no eval ('wasm-unsafe-eval' allows
 * compiling WebAssembly, nothing else); workers from the origin or blob: (tfjs-wasm's threads);
 * inline styles for React's style attributes; images from data:/blob: (PNG export, the favicon);
 * no plugins, no <base>, no form posts. Dev mode (Vite's injected inline scripts) does without.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "content-security-policy",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY },
        injectTo: "head-prepend",
      },
    ],
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  // LAB_DIST: build into (and preview from) another folder than dist/, e.g. a test's own
  // temporary one, so a test of `npm start` never overwrites the checkout's build.
  build: { outDir: process.env.LAB_DIST || "dist" },
  server: { headers: isolationHeaders },
  // `npm start` builds the app and serves that build here, on the port `npm run dev` uses.
  preview: { headers: isolationHeaders, port: 5173 },
  optimizeDeps: {
    include: [
      "@tensorflow/tfjs-core",
      "@tensorflow/tfjs-backend-wasm",
      "@tensorflow/tfjs-backend-webgpu",
      "@tensorflow/tfjs",
      "comlink",
      "three",
      // CommonJS (protobufjs static code) read by the workers' ONNX parser: pre-bundled up front.
      "onnx-proto",
    ],
  },
  worker: {
    format: "es",
    // The default worker minifier breaks the threaded wasm backend's own workers
    // ("e is not defined"); keep mangling, drop compression (ENVIRONMENT.md).
    rolldownOptions: { output: { minify: { compress: false, mangle: true }, comments: false } },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["tests/unit/**/*.test.ts"],
          testTimeout: 120_000,
          // At most two tests of a file at once: the CLI tests start a Node process each, and
          // more of them than cores made each one slow enough to time out on a busy machine.
          // (A test's timeout starts when it starts, not while it waits for a slot.)
          maxConcurrency: 2,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          environment: "node",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
