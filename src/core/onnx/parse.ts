/**
 * Bytes of an .onnx file -> the graph as OnnxArchitecture JSON (graph.ts) plus the parameters'
 * values. Decoding is onnx-proto's static protobufjs code (no eval: the app's Content-Security-Policy
 * forbids it). Checks, each refused with a message that names what is wrong: the default-domain
 * opset, every operator (unsupported ones by operator and node name), attribute types, one data
 * input with a fixed per-sample shape, one output, tensors stored inside the file (no external
 * data), sizes.
 *
 * Which initializers are parameters: every float initializer a node uses, except a
 * BatchNormalization's running mean and variance (inputs 3 and 4). Those become constants, also
 * when they reach the BN through Identity nodes: torch.onnx.export de-duplicates equal
 * initializers, so a fresh BN's running_var (all 1) is written as Identity(bn.weight) and its
 * running_mean (all 0) as Identity(bn.bias). The interpreter reads the statistics from a frozen
 * copy of the file's values, so moving bn.weight never moves running_var.
 *
 * A final Softmax or LogSoftmax over the class axis is dropped (the output is the logits; the
 * cross-entropy of the lab takes logits) and recorded in droppedOutputOp.
 */
import onnxProto from "onnx-proto";
import {
  MAX_NODES,
  MAX_ONNX_VALUES,
  MAX_OPSET,
  MIN_OPSET,
  ONNX_OPERATORS,
  ONNX_SEMANTICS,
  type OnnxArchitecture,
  type OnnxAttribute,
  type OnnxConstant,
  type OnnxNode,
  shapeProduct,
} from "./graph";

const { onnx } = onnxProto;

/** What parseOnnx returns: the architecture without outputSize (known after a forward pass) and the parameters. */
interface ParsedOnnx {
  arch: Omit<OnnxArchitecture, "outputSize"> & { outputSize?: number };
  /** The parameters' values in arch.parameters order, flat. */
  parameters: Float32Array;
  /** Things the user should know (e.g. parameters renamed by constant folding). */
  notes: string[];
}

type LongLike = number | { toNumber(): number } | { low: number; high: number } | string;

function toNumber(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  if ("toNumber" in v) return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}

const DATA_TYPES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  16: "bfloat16",
};

/** Decode one TensorProto into a constant (values as numbers), checking its size and storage. */
function decodeTensor(t: onnxProto.onnx.ITensorProto, where: string): OnnxConstant {
  const name = t.name ?? "";
  const dims = (t.dims ?? []).map((d) => toNumber(d as LongLike));
  const what = `${where} "${name}"`;
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`${what}: bad dims [${dims.join(", ")}]`);
  const count = shapeProduct(dims);
  if (count > MAX_ONNX_VALUES) throw new Error(`${what}: ${count} values, more than ${MAX_ONNX_VALUES}`);
  if (t.dataLocation === 1) {
    throw new Error(
      `${what} is stored in an external data file; export with the weights inside the .onnx file`,
    );
  }
  const type = t.dataType ?? 0;
  const typeName = DATA_TYPES[type] ?? `type ${type}`;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const values: number[] = new Array(count);
  const fromRaw = (bytes: number, read: (offset: number) => number) => {
    if (!view || view.byteLength !== count * bytes) {
      throw new Error(`${what}: ${view?.byteLength ?? 0} bytes of raw data for ${count} ${typeName} values`);
    }
    for (let i = 0; i < count; i++) values[i] = read(i * bytes);
  };
  const fromList = (list: ArrayLike<LongLike> | null | undefined) => {
    if (!list || list.length !== count) {
      throw new Error(`${what}: ${list?.length ?? 0} stored values for shape [${dims.join(", ")}]`);
    }
    for (let i = 0; i < count; i++) values[i] = toNumber(list[i]);
  };
  let dataType: OnnxConstant["dataType"];
  switch (type) {
    case 1:
      dataType = "float32";
      if (view) fromRaw(4, (o) => view.getFloat32(o, true));
      else fromList(t.floatData);
      break;
    case 11:
      dataType = "float32";
      if (view) fromRaw(8, (o) => view.getFloat64(o, true));
      else fromList(t.doubleData);
      break;
    case 7:
      dataType = "int64";
      if (view) fromRaw(8, (o) => Number(view.getBigInt64(o, true)));
      else fromList(t.int64Data as LongLike[]);
      break;
    case 6:
    case 5:
    case 3:
    case 2:
    case 4:
    case 9: {
      dataType = "int64";
      const bytes = { 6: 4, 5: 2, 4: 2, 3: 1, 2: 1, 9: 1 }[type] as number;
      const read = (o: number): number => {
        if (!view) return 0;
        if (type === 6) return view.getInt32(o, true);
        if (type === 5) return view.getInt16(o, true);
        if (type === 4) return view.getUint16(o, true);
        if (type === 3) return view.getInt8(o);
        return view.getUint8(o);
      };
      if (view) fromRaw(bytes, read);
      else fromList(t.int32Data);
      break;
    }
    default:
      throw new Error(
        `${what} has data type ${typeName}, which is not supported (float32, float64 or integers)`,
      );
  }
  for (let i = 0; i < count; i++) {
    if (Number.isNaN(values[i]) && dataType === "int64")
      throw new Error(`${what}: value ${i} is not a number`);
  }
  return { name, dataType, dims, values };
}

/** AttributeProto type numbers (onnx.proto). */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function decodeAttribute(a: onnxProto.onnx.IAttributeProto, where: string): OnnxAttribute {
  const name = a.name ?? "";
  switch (a.type) {
    case ATTR.FLOAT:
      return a.f ?? 0;
    case ATTR.INT:
      return toNumber(a.i as LongLike);
    case ATTR.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array(0));
    case ATTR.TENSOR:
      if (!a.t) throw new Error(`${where}: attribute "${name}" has no tensor`);
      return decodeTensor(a.t, `${where}: attribute "${name}"`);
    case ATTR.FLOATS:
      return [...(a.floats ?? [])];
    case ATTR.INTS:
      return (a.ints ?? []).map((v) => toNumber(v as LongLike));
    default:
      throw new Error(`${where}: attribute "${name}" has a type (${a.type}) that is not supported`);
  }
}

/** The slots of a BatchNormalization that hold running statistics (never parameters). */
const STAT_SLOTS = new Set([3, 4]);

/** Input slots that are never parameters: statistics, Dropout's ratio and mode, shapes and axes. */
const CONSTANT_SLOTS: Record<string, ReadonlySet<number>> = {
  BatchNormalization: STAT_SLOTS,
  Dropout: new Set([1, 2]),
  Reshape: new Set([1]),
  ReduceMean: new Set([1]),
};
const isConstantSlot = (op: string, slot: number) => CONSTANT_SLOTS[op]?.has(slot) ?? false;

/**
 * Parse an .onnx file. Throws with a message naming what is wrong (an unsupported operator by its
 * op type and node name).
 *
 * @example const { arch, parameters } = parseOnnx(bytes);
 */
export function parseOnnx(bytes: Uint8Array): ParsedOnnx {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model (protobuf ModelProto): ${(e as Error).message}`);
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0) {
    throw new Error("not an ONNX model: it has no graph nodes (ModelProto.graph)");
  }
  const opsets = model.opsetImport ?? [];
  const defaultOpset = opsets.find((o) => !o.domain || o.domain === "ai.onnx");
  const opset = toNumber(defaultOpset?.version as LongLike);
  if (!defaultOpset) throw new Error("the model imports no default-domain (ai.onnx) opset");
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(
      `opset ${opset} is not supported (ai.onnx opsets ${MIN_OPSET} to ${MAX_OPSET}; export with opset_version=17)`,
    );
  }
  if (graph.node.length > MAX_NODES) throw new Error(`${graph.node.length} nodes, more than ${MAX_NODES}`);
  if ((graph.sparseInitializer ?? []).length > 0) throw new Error("sparse initializers are not supported");

  // Initializers, in file order.
  const initializers = new Map<string, OnnxConstant>();
  let totalValues = 0;
  for (const t of graph.initializer ?? []) {
    const c = decodeTensor(t, "initializer");
    if (c.name === "") throw new Error("an initializer has no name");
    totalValues += c.values.length;
    if (totalValues > MAX_ONNX_VALUES)
      throw new Error(`the initializers hold more than ${MAX_ONNX_VALUES} values`);
    initializers.set(c.name, c);
  }

  // Nodes, checked: default domain, supported operator, decodable attributes.
  const supported = new Set<string>(ONNX_OPERATORS);
  const nodes: OnnxNode[] = graph.node.map((n, i) => {
    const op = n.opType ?? "";
    const name = n.name || `#${i}`;
    const where = `node "${name}" (${op})`;
    if (n.domain && n.domain !== "ai.onnx") {
      throw new Error(
        `ONNX operator "${op}" of node "${name}" is from domain "${n.domain}", which is not supported (only the default ai.onnx domain)`,
      );
    }
    if (!supported.has(op)) {
      throw new Error(
        `ONNX operator "${op}" (node "${name}") is not supported; supported operators: ${ONNX_OPERATORS.join(", ")}`,
      );
    }
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of n.attribute ?? []) {
      const key = a.name ?? "";
      if (key === "__proto__" || key === "constructor" || key === "prototype") {
        throw new Error(`${where}: attribute name "${key}" is not allowed`);
      }
      attributes[key] = decodeAttribute(a, where);
    }
    return { op, name, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attributes };
  });

  // The data input: a graph input that is not an initializer.
  const dataInputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ""));
  if (dataInputs.length !== 1) {
    throw new Error(
      `the graph must have one data input, it has ${dataInputs.length} (${dataInputs.map((v) => v.name).join(", ")})`,
    );
  }
  const input = dataInputs[0];
  const inputName = input.name ?? "";
  const tensorType = input.type?.tensorType;
  if (!tensorType || (tensorType.elemType !== 1 && tensorType.elemType !== undefined)) {
    throw new Error(`input "${inputName}" must be a float32 tensor`);
  }
  const dims = tensorType.shape?.dim ?? [];
  if (dims.length < 2) {
    throw new Error(
      `input "${inputName}" must have a batch axis and a sample shape, it has rank ${dims.length}`,
    );
  }
  const inputShape = dims.slice(1).map((d, i) => {
    const v = d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue as LongLike) : 0;
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(
        `input "${inputName}": axis ${i + 1} has no fixed size (${d.dimParam || "unknown"}); only the batch axis may be dynamic`,
      );
    }
    return v;
  });

  const outputs = graph.output ?? [];
  if (outputs.length !== 1) {
    throw new Error(`the graph must have one output (the logits), it has ${outputs.length}`);
  }
  let outputName = outputs[0].name ?? "";

  // Producers, and a topological-order check (the ONNX spec requires sorted nodes).
  const producer = new Map<string, number>();
  const defined = new Set<string>([inputName, ...initializers.keys()]);
  nodes.forEach((n, i) => {
    for (const name of n.inputs) {
      if (name !== "" && !defined.has(name)) {
        throw new Error(
          `node "${n.name}" (${n.op}) reads "${name}", which no earlier node, input or initializer defines`,
        );
      }
    }
    for (const name of n.outputs) {
      if (name === "") continue;
      if (defined.has(name)) throw new Error(`node "${n.name}" (${n.op}) redefines "${name}"`);
      defined.add(name);
      producer.set(name, i);
    }
  });
  if (!defined.has(outputName)) throw new Error(`the graph output "${outputName}" is computed by no node`);

  // A final Softmax / LogSoftmax over the class axis: dropped, the output is the logits.
  let droppedOutputOp: OnnxArchitecture["droppedOutputOp"];
  const last = producer.has(outputName) ? nodes[producer.get(outputName) as number] : undefined;
  if (last && (last.op === "Softmax" || last.op === "LogSoftmax")) {
    const axis = last.attributes.axis ?? (opset >= 13 ? -1 : 1);
    if (axis !== -1 && axis !== 1) {
      throw new Error(
        `node "${last.name}" (${last.op}): a final ${last.op} must be over the class axis (axis 1 or -1), got ${axis}`,
      );
    }
    droppedOutputOp = last.op;
    outputName = last.inputs[0];
  }

  // Running statistics: resolved through Identity nodes to their initializer, frozen as constants.
  const constants = new Map<string, OnnxConstant>();
  const resolveIdentity = (name: string): string => {
    let current = name;
    for (let guard = 0; guard < MAX_NODES && producer.has(current); guard++) {
      const p = nodes[producer.get(current) as number];
      if (p.op !== "Identity") break;
      current = p.inputs[0];
    }
    return current;
  };
  for (const n of nodes) {
    if (n.op !== "BatchNormalization") continue;
    for (const slot of STAT_SLOTS) {
      const name = n.inputs[slot];
      const source = initializers.get(resolveIdentity(name ?? ""));
      if (!source) {
        throw new Error(
          `node "${n.name}" (BatchNormalization): its running ${slot === 3 ? "mean" : "variance"} "${name}" is not a stored tensor (inference mode needs the file's statistics)`,
        );
      }
      const frozen = `${name}`;
      constants.set(frozen, { ...source, name: frozen, values: [...source.values] });
    }
  }

  // Live nodes: those the output depends on (a frozen statistic cuts its Identity chain).
  const live = new Set<number>();
  const stack = [outputName];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name) || constants.has(name)) continue;
    seen.add(name);
    const p = producer.get(name);
    if (p === undefined) continue;
    if (live.has(p)) continue;
    live.add(p);
    const node = nodes[p];
    node.inputs.forEach((input, slot) => {
      if (input === "") return;
      if (node.op === "BatchNormalization" && STAT_SLOTS.has(slot)) return;
      stack.push(input);
    });
  }
  if (!seen.has(inputName))
    throw new Error(`the output "${outputName}" does not depend on the input "${inputName}"`);
  const kept = nodes.filter((_, i) => live.has(i));

  // Parameters: float initializers the live graph reads outside the constant slots, in file order.
  const used = new Set<string>();
  const usedAsConstant = new Set<string>();
  for (const n of kept) {
    n.inputs.forEach((input, slot) => {
      (isConstantSlot(n.op, slot) ? usedAsConstant : used).add(input);
    });
  }
  const parameters: OnnxArchitecture["parameters"] = [];
  const values: number[][] = [];
  for (const [name, init] of initializers) {
    if (used.has(name) && init.dataType === "float32") {
      parameters.push({ name, shape: [...init.dims] });
      values.push(init.values);
    } else if ((used.has(name) || usedAsConstant.has(name)) && !constants.has(name))
      constants.set(name, init);
  }
  // A statistic stored under a parameter's own name (an initializer shared without an Identity)
  // is read from a frozen copy under another name, so moving the parameter never moves it.
  const parameterNames = new Set(parameters.map((p) => p.name));
  for (const n of kept) {
    if (n.op !== "BatchNormalization") continue;
    for (const slot of STAT_SLOTS) {
      const name = n.inputs[slot];
      if (!parameterNames.has(name)) continue;
      const frozen = `${name} (running statistic of ${n.name})`;
      constants.set(frozen, { ...(constants.get(name) as OnnxConstant), name: frozen });
      n.inputs[slot] = frozen;
    }
  }
  for (const name of parameterNames) constants.delete(name);
  const flat = new Float32Array(values.reduce((s, v) => s + v.length, 0));
  let offset = 0;
  for (const v of values) {
    flat.set(v, offset);
    offset += v.length;
  }

  const notes: string[] = [];
  const folded = parameters.filter((p) => p.name.startsWith("onnx::")).map((p) => p.name);
  if (folded.length > 0) {
    notes.push(
      `parameters ${folded.join(", ")} were renamed by the exporter's constant folding (a bias-free Linear's ` +
        "transposed weight as onnx::MatMul_N, or a BatchNorm folded into its Conv as onnx::Conv_N: export with " +
        "training=torch.onnx.TrainingMode.PRESERVE to keep BatchNorm layers and their names)",
    );
  }
  const producerName = [model.producerName, model.producerVersion].filter((s) => s).join(" ");
  return {
    arch: {
      kind: "onnx",
      inputName,
      outputName,
      inputShape,
      inputSize: shapeProduct(inputShape),
      opset,
      nodes: kept,
      constants: [...constants.values()],
      parameters,
      ...(droppedOutputOp ? { droppedOutputOp } : {}),
      semantics: ONNX_SEMANTICS,
      source: "onnx",
      ...(producerName ? { producer: producerName } : {}),
    },
    parameters: flat,
    notes,
  };
}
