/**
 * The program the kernel's layers-model forward pass runs (src/core/kernel/cnn-kernel.as): the
 * steps of a cnn plan after the first layer (cnn-plan.ts, `rest`) as records of 16 int32, with
 * the shapes worked out, the parameters named by their float offset in a point's vector, and the
 * scratch each op needs (Winograd kernels and blocks, BatchNorm scales) laid out in a MemoryPlan.
 * Pure and tfjs-free.
 *
 * A 3x3 stride-1 conv runs by Winograd's F(2x2, 3x3) (16 products per 2x2 outputs and channel
 * pair instead of 36); any other conv directly.
 *
 * @example const program = cnnProgram(plan, arch, offsets, new MemoryPlan()); program.ops.length // 5 for the digits CNN
 */
import { ACTIVATION_CODES } from "../kernel/kernel-module";
import type { MemoryPlan } from "../kernel/memory-plan";
import { type LayersArchitecture, samePadding } from "../model/layers";
import { shapeSize } from "../model/layout";
import type { CnnPlan } from "./cnn-plan";

/** Op codes of cnn-kernel.as (keep in step with its OP_ constants). */
export const OP = { act: 1, pool: 2, conv: 3, winograd: 4, dense: 5, batchNorm: 6, combinePool: 7 } as const;
/** Int32 fields per op record. */
export const RECORD = 16;

/** A BatchNorm op's arrays the host writes once (moving statistics) into kernel memory. */
interface BatchNormTables {
  meanAt: number;
  varianceAt: number;
  mean: readonly number[];
  variance: readonly number[];
}

export interface CnnProgram {
  /** The records, RECORD int32 each; pointer fields are relative to the heap base until `relocate`. */
  ops: Int32Array[];
  /** Values per sample of the widest activation the ops read or write. */
  widest: number;
  /** Moving statistics to copy into memory (byte offsets relative to the heap base). */
  tables: BatchNormTables[];
  /** How each conv runs, in order: "winograd" or "direct" (reported with the path). */
  convs: ("winograd" | "direct")[];
  /** Each Winograd conv's transformed kernel U: its byte offset (as uPtr) and floats (16 ci co). */
  winograd: { u: number; floats: number }[];
}

/**
 * The program of a plan's `rest` steps, starting from the first layer's output shape. Pointer
 * fields (Winograd and BatchNorm scratch) are byte offsets in `memory`; add the heap base to them
 * before handing the records to the kernel (`relocate`).
 */
export function cnnProgram(
  plan: CnnPlan,
  arch: LayersArchitecture,
  offsets: readonly number[],
  memory: MemoryPlan,
): CnnProgram {
  const first = plan.first;
  if (!first) throw new Error("wasm-cnn: the model has no Dense or Conv2D layer");
  let shape = [...first.outShape];
  // The first layer's whole output is stored only when no pool follows it (combinePool below).
  let widest = plan.rest[0]?.op === "maxPool" ? 0 : shapeSize(shape);
  const ops: Int32Array[] = [];
  const tables: BatchNormTables[] = [];
  const convs: ("winograd" | "direct")[] = [];
  const winograd: { u: number; floats: number }[] = [];
  const offsetOf = (index: number | null) => (index === null ? -1 : offsets[index]);
  const record = (...fields: number[]) => {
    const r = new Int32Array(RECORD);
    r.set(fields);
    ops.push(r);
  };
  const steps = plan.rest;
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index];
    switch (step.op) {
      case "activation":
        if (step.activation !== "linear") record(OP.act, shapeSize(shape), ACTIVATION_CODES[step.activation]);
        break;
      case "reshape":
        // NHWC order is row-major: a flatten or reshape moves no value.
        shape = [...step.outShape];
        break;
      case "maxPool": {
        const [h, w, c] = shape;
        const [oh, ow] = step.outShape;
        const [ph, pw] = step.poolSize;
        const [sh, sw] = step.strides;
        const top = step.padding === "same" ? samePadding(h, ph, sh)[0] : 0;
        const left = step.padding === "same" ? samePadding(w, pw, sw)[0] : 0;
        if (index === 0) {
          // Right after the first layer: the kernel pools its combination S_0 + sum c_k S_k in
          // one pass, with the relu that follows (the plan moves the pool before it).
          const next = steps[1];
          const relu = next?.op === "activation" && next.activation === "relu";
          record(
            OP.combinePool,
            h,
            w,
            c,
            ph,
            pw,
            sh,
            sw,
            top,
            left,
            oh,
            ow,
            relu ? ACTIVATION_CODES.relu : 0,
          );
          if (relu) index++;
        } else record(OP.pool, h, w, c, ph, pw, sh, sw, top, left, oh, ow);
        shape = [...step.outShape];
        break;
      }
      case "conv2d": {
        const layer = arch.layers[step.layer];
        if (layer.type !== "conv2d") throw new Error(`wasm-cnn: layer ${step.layer} is not a conv`);
        const [h, w, ci] = shape;
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = step.strides;
        const [oh, ow, co] = step.outShape;
        const pad = step.pad;
        const top = pad === "valid" ? 0 : pad === "same" ? samePadding(h, kh, sh)[0] : pad[1][0];
        const left = pad === "valid" ? 0 : pad === "same" ? samePadding(w, kw, sw)[0] : pad[2][0];
        const act = ACTIVATION_CODES[step.activation];
        if (kh === 3 && kw === 3 && sh === 1 && sw === 1) {
          const u = memory.floats(16 * ci * co);
          winograd.push({ u, floats: 16 * ci * co });
          // V [2, 16, ci] vectors, then the zero-padded input map of the blocks' patches; M [2, 16, co].
          const padded = (Math.ceil(oh / 2) * 2 + 2) * (Math.ceil(ow / 2) * 2 + 2) * ci;
          const v = memory.floats((2 * 16 * ci + padded) * 4);
          const m = memory.floats(2 * 16 * co * 4);
          // A 2x2 / stride-2 "valid" max pool right after it, on an even map: each 2x2 block of
          // outputs is one window, so the kernel writes the pooled map directly.
          const next = steps[index + 1];
          const pool2 =
            next?.op === "maxPool" &&
            next.padding === "valid" &&
            next.poolSize.join() === "2,2" &&
            next.strides.join() === "2,2" &&
            oh % 2 === 0 &&
            ow % 2 === 0;
          record(
            OP.winograd,
            h,
            w,
            ci,
            top,
            left,
            oh,
            ow,
            co,
            offsetOf(step.kernel),
            offsetOf(step.bias),
            act,
            u,
            v,
            m,
            pool2 ? 1 : 0,
          );
          convs.push("winograd");
          if (pool2) {
            shape = [...next.outShape];
            index++;
            break;
          }
        } else {
          record(
            OP.conv,
            h,
            w,
            ci,
            kh,
            kw,
            sh,
            sw,
            top,
            left,
            oh,
            ow,
            co,
            offsetOf(step.kernel),
            offsetOf(step.bias),
            act,
          );
          convs.push("direct");
        }
        shape = [...step.outShape];
        break;
      }
      case "dense": {
        const inner = step.inShape[step.inShape.length - 1];
        const out = step.outShape[step.outShape.length - 1];
        const positions = shapeSize(step.inShape) / inner;
        record(
          OP.dense,
          positions,
          inner,
          out,
          offsetOf(step.kernel),
          offsetOf(step.bias),
          ACTIVATION_CODES[step.activation],
        );
        shape = [...step.outShape];
        break;
      }
      case "batchNorm": {
        const c = shape[shape.length - 1];
        const { spec } = step;
        const meanAt = memory.floats(c);
        const varianceAt = memory.floats(c);
        const scaleAt = memory.floats(c);
        const shiftAt = memory.floats(c);
        const eps = new Int32Array(new Float32Array([spec.epsilon]).buffer)[0];
        record(
          OP.batchNorm,
          shapeSize(shape) / c,
          c,
          meanAt,
          varianceAt,
          eps,
          offsetOf(step.gamma),
          offsetOf(step.beta),
          scaleAt,
          shiftAt,
        );
        tables.push({ meanAt, varianceAt, mean: spec.movingMean, variance: spec.movingVariance });
        break;
      }
    }
    widest = Math.max(widest, shapeSize(shape));
  }
  if (shapeSize(shape) !== plan.outputSize) {
    throw new Error(
      `wasm-cnn: the program ends with ${shapeSize(shape)} values, the model has ${plan.outputSize} outputs`,
    );
  }
  return { ops, widest, tables, convs, winograd };
}

/** Byte-offset fields of each op (indices in its record), which `relocate` moves by the heap base. */
const POINTER_FIELDS: Record<number, readonly number[]> = {
  [OP.winograd]: [12, 13, 14],
  [OP.batchNorm]: [3, 4, 8, 9],
};

/** The records as one Int32Array with their pointer fields moved by `base` (the heap base). */
export function relocate(program: CnnProgram, base: number): Int32Array {
  const out = new Int32Array(program.ops.length * RECORD);
  program.ops.forEach((r, i) => {
    out.set(r, i * RECORD);
    for (const f of POINTER_FIELDS[r[0]] ?? []) out[i * RECORD + f] = r[f] + base;
  });
  return out;
}
