/**
 * Whether this browser's GPU backends are software renderers, probed before the calibration
 * (core/experiment/calibrate.ts) times them: such a GPU runs on the CPU and loses to wasm, and
 * driving it from a worker next to the page's canvases can reset the GPU process. Browser APIs
 * (navigator.gpu, OffscreenCanvas), so the probe lives here and core gets its answer.
 */
import type { BackendName } from "../src/core/backend";

/**
 * Whether a WebGPU adapter is a software one (SwiftShader, or the browser's fallback adapter):
 * timing it is pointless (it runs on the CPU, far slower than wasm) and creating its device next to
 * the page's WebGL canvases has been seen to reset the GPU process and blank them.
 */
async function softwareWebGpu(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "not available";
  const adapter = (await gpu.requestAdapter()) as {
    isFallbackAdapter?: boolean;
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  } | null;
  if (!adapter) return "no adapter";
  const info = adapter.info ?? {};
  const text = `${info.vendor ?? ""} ${info.architecture ?? ""} ${info.description ?? ""}`;
  if (adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(text)) {
    return `software adapter (${text.trim() || "fallback"}): skipped`;
  }
  return null;
}

/**
 * Whether WebGL here is a software renderer (SwiftShader, llvmpipe): such a GPU runs on the CPU
 * and loses to wasm, and driving it from a worker next to the page's own canvases can reset the
 * GPU process (the page's canvases then go blank). Checked with a 1x1 context, released at once.
 */
function softwareWebGl(): string | null {
  if (typeof OffscreenCanvas === "undefined") return "no OffscreenCanvas";
  const gl = new OffscreenCanvas(1, 1).getContext("webgl2") as WebGL2RenderingContext | null;
  if (!gl) return "no WebGL2";
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(
    info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
  );
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(renderer) ? `software renderer (${renderer}): skipped` : null;
}

/** Why backend `name` is skipped by the calibration here, or null to time it. */
export async function softwareGpuSkip(name: BackendName): Promise<string | null> {
  if (name === "webgpu") return softwareWebGpu();
  if (name === "webgl") return softwareWebGl();
  return null;
}
