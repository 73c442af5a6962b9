import type { Activation } from "../model/types";
import { KERNEL_RELAXED_SIMD_BASE64, KERNEL_SIMD_BASE64 } from "./kernel-wasm.generated";

/** The kernel's activation codes (keep in step with the constants of mlp-kernel.as). */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = {
  linear: 0,
  relu: 1,
  leaky_relu: 2,
  tanh: 3,
  sigmoid: 4,
  elu: 5,
  softplus: 6,
};

/**
 * The compiled kernel (mlp-kernel.as, built by build.mjs into kernel-wasm.generated.ts) as a
 * WebAssembly module, compiled once per variant and instantiated once per prepared problem.
 *
 * Two builds of the same source: "simd" (WebAssembly SIMD, f32x4) and "relaxed-simd" (the same
 * with fused multiply-add). Relaxed SIMD is on by default in Chromium 114+; Node 20 needs
 * `--experimental-wasm-relaxed-simd`, so there "auto" picks "simd".
 */
export type KernelVariant = "simd" | "relaxed-simd";

/** The kernel's exports; every pointer is a byte offset into the instance's memory. */
interface KernelExports {
  heapBase(): number;
  affine(dst: number, base: number, dirs: number, len: number, k: number, coords: number): void;
  linearF64(
    dst: number,
    ldd: number,
    x: number,
    rows: number,
    inW: number,
    w: number,
    b: number,
    outW: number,
  ): void;
  gemm(
    a: number,
    lda: number,
    bp: number,
    c: number,
    ldc: number,
    rows: number,
    kdim: number,
    cols: number,
    cols4: number,
    act: number,
    residual: number,
    k0n: number,
    base0: number,
    dirs0: number,
    len0: number,
    coords: number,
    act0: number,
  ): void;
  crossEntropy(z: number, ldz: number, n: number, classes: number, labels: number, out: number): void;
  /** cnn-kernel.as: row-major [n, m] into groups of four samples [n4 / 4, m, 4]. */
  toGroups(dst: number, src: number, n: number, m: number): void;
  /** cnn-kernel.as: the Winograd kernels (winograd = 1) and BatchNorm scales of a parameter vector. */
  preparePoint(prog: number, nops: number, params: number, winograd: number): void;
  /** cnn-kernel.as: one point's forward pass after the first layer on groups of four samples. */
  forward(
    prog: number,
    nops: number,
    groups: number,
    s: number,
    sk: number,
    m1: number,
    k: number,
    coords: number,
    params: number,
    bufA: number,
    bufB: number,
    width: number,
    logits: number,
    outSize: number,
  ): void;
  meanSquaredError(z: number, ldz: number, n: number, cols: number, y: number, out: number): void;
  /** cnn-block.as: a block of points' certification and coefficient maps, per group of four samples. */
  blockPrepare(
    prog: number,
    stack: number,
    groups: number,
    s: number,
    sk: number,
    m1: number,
    box: number,
    bias: number,
    w0: number,
    w1: number,
    w2: number,
    full: number,
    zmaps: number,
    zStride: number,
    outs: number,
    kmaps: number,
    kStride: number,
    lists: number,
    listStride: number,
    counts: number,
  ): void;
  /** cnn-block.as: a row's coefficients in u (the quadratic at v). */
  blockRow(
    prog: number,
    groups: number,
    point: number,
    x0: number,
    x1: number,
    kmaps: number,
    kStride: number,
    lmaps: number,
    lStride: number,
    lists: number,
    listStride: number,
    counts: number,
    rows: number,
    rowStride: number,
    rowCounts: number,
  ): void;
  /** cnn-block.as: one point of a prepared block on groups of four samples, to its logits. */
  blockPoint(
    prog: number,
    nops: number,
    groups: number,
    point: number,
    params: number,
    lmaps: number,
    lStride: number,
    rows: number,
    rowStride: number,
    rowCounts: number,
    out: number,
    deltas: number,
    bufA: number,
    bufB: number,
    width: number,
    logits: number,
    outSize: number,
  ): void;
}

interface KernelInstance {
  exports: KernelExports;
  memory: WebAssembly.Memory;
}

const BASE64: Record<KernelVariant, string> = {
  simd: KERNEL_SIMD_BASE64,
  "relaxed-simd": KERNEL_RELAXED_SIMD_BASE64,
};

const compiled = new Map<KernelVariant, WebAssembly.Module | null>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled module of a variant, or null when this runtime cannot run it. */
function kernelModule(variant: KernelVariant): WebAssembly.Module | null {
  if (!compiled.has(variant)) {
    const bytes = decodeBase64(BASE64[variant]);
    compiled.set(
      variant,
      typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null,
    );
  }
  return compiled.get(variant) ?? null;
}

/** Whether this runtime can run a variant (validates its module). */
export function kernelVariantSupported(variant: KernelVariant): boolean {
  return kernelModule(variant) !== null;
}

/**
 * The variant "auto" resolves to: relaxed SIMD where the runtime validates it, else plain SIMD.
 * Throws when the runtime has no WebAssembly SIMD at all.
 *
 * @example resolveKernelVariant("auto") // "simd" in Node 20, "relaxed-simd" in Chromium
 */
export function resolveKernelVariant(variant: KernelVariant | "auto"): KernelVariant {
  if (variant !== "auto" && !Object.hasOwn(BASE64, variant)) {
    throw new Error(`wasm-kernel: unknown variant "${variant}"; expected auto, simd or relaxed-simd`);
  }
  const order: KernelVariant[] = variant === "auto" ? ["relaxed-simd", "simd"] : [variant];
  for (const v of order) if (kernelVariantSupported(v)) return v;
  throw new Error(
    variant === "auto"
      ? "wasm-kernel: this runtime has no WebAssembly SIMD; use a tfjs evaluator"
      : `wasm-kernel: this runtime cannot run the "${variant}" kernel`,
  );
}

const PAGE = 65536;

/**
 * A fresh instance with its own memory of at least `bytes` bytes past the kernel's static data;
 * returns the instance and the first free (16-byte aligned) offset. The memory is dropped with
 * the instance, so repeated prepare/dispose never accumulates memory.
 */
export function instantiateKernel(
  variant: KernelVariant,
  bytes: number,
): { kernel: KernelInstance; base: number } {
  const module = kernelModule(variant);
  if (!module) throw new Error(`wasm-kernel: this runtime cannot run the "${variant}" kernel`);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  const base = exports.heapBase();
  const pages = Math.ceil((base + bytes) / PAGE);
  if (pages > 65536) {
    throw new Error(
      `wasm-kernel: the problem needs ${(base + bytes) / 2 ** 30} GiB, more than 4 GiB of memory`,
    );
  }
  if (pages > 1) memory.grow(pages - 1);
  return { kernel: { exports, memory }, base };
}
