/**
 * ONNX models as torch.onnx.export writes them (tests/fixtures/onnx, made by make_fixtures.py with
 * PyTorch; the tests never run Python): the interpreter's logits match PyTorch's and
 * onnxruntime's within 1e-5 on every fixture, parameters are the weights and biases by their ONNX
 * names in PyTorch shapes (running statistics are not parameters and never move), and an
 * unsupported operator is refused naming the operator and its node.
 */
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { onnxForward } from "../../src/core/onnx/interpret";
import { onnxLayout } from "../../src/core/onnx/layout";
import { importOnnxModel, onnxParameterTensors } from "../../src/core/onnx/load";
import { parseOnnx } from "../../src/core/onnx/parse";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dir = new URL("../fixtures/onnx/", import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir)));

interface OnnxReference {
  inputShape: number[];
  count: number;
  x: number[];
  labels: number[];
  logitsTorch: number[];
  outputOrt: number[];
  lossTorch: number;
}
const reference = (name: string): OnnxReference =>
  JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8"));

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function logits(name: string): { out: Float32Array; ref: OnnxReference; softmax: Float32Array } {
  const model = importOnnxModel(bytes(name));
  const ref = reference(name);
  const [out, softmax] = tf.tidy(() => {
    const params = onnxParameterTensors(model.arch, model.parameters);
    const y = onnxForward(
      model.arch,
      params,
      tf.tensor2d(Float32Array.from(ref.x), [ref.count, model.arch.inputSize]),
    );
    return [y.dataSync() as Float32Array, tf.softmax(y).dataSync() as Float32Array];
  });
  return { out, ref, softmax };
}

describe("the ONNX interpreter on PyTorch's exports", () => {
  for (const name of [
    "mlp",
    "mlp_bn",
    "cnn_bn",
    "residual",
    "residual_dynamo",
    "strided",
    "ops",
    "fresh_bn",
  ]) {
    it(`computes ${name}.onnx's logits as PyTorch and onnxruntime do, within 1e-5`, () => {
      const before = tf.memory().numTensors;
      const { out, ref, softmax } = logits(name);
      expect(tf.memory().numTensors).toBe(before);
      const vsTorch = maxAbsDifference(out, ref.logitsTorch);
      // ops.onnx ends in a Softmax: onnxruntime's output is probabilities, the interpreter's the logits.
      const vsOrt = maxAbsDifference(name === "ops" ? softmax : out, ref.outputOrt);
      console.log(
        `${name}: |interpreter - torch| ${vsTorch.toExponential(2)}, |interpreter - onnxruntime| ${vsOrt.toExponential(2)}`,
      );
      expect(vsTorch).toBeLessThan(1e-5);
      expect(vsOrt).toBeLessThan(1e-5);
    });
  }

  it("takes the weights and biases as parameters, by ONNX name in PyTorch shapes, and no running statistics", () => {
    const cnn = importOnnxModel(bytes("cnn_bn")).arch;
    expect(onnxLayout(cnn)).toEqual([
      { name: "conv1.weight", shape: [4, 1, 3, 3], filterAxis: 0 },
      { name: "conv1.bias", shape: [4] },
      { name: "bn1.weight", shape: [4] },
      { name: "bn1.bias", shape: [4] },
      { name: "conv2.weight", shape: [4, 1, 3, 3], filterAxis: 0 },
      { name: "conv2.bias", shape: [4] },
      { name: "fc.weight", shape: [3, 16], filterAxis: 0 },
      { name: "fc.bias", shape: [3] },
    ]);
    expect(cnn.constants.map((c) => c.name)).toEqual(["bn1.running_mean", "bn1.running_var"]);
    expect(cnn.inputShape).toEqual([1, 8, 8]);
    expect(cnn.outputSize).toBe(3);
    const ops = importOnnxModel(bytes("ops"));
    expect(ops.arch.droppedOutputOp).toBe("Softmax");
    expect(ops.notes.join(" ")).toMatch(/onnx::MatMul_\d+/);
  });

  it("keeps a fresh BatchNorm's statistics fixed when the exporter shares them with its weight and bias", () => {
    // torch.onnx.export writes running_var = Identity(bn1.weight), running_mean = Identity(bn1.bias).
    const model = importOnnxModel(bytes("fresh_bn"));
    expect(model.arch.nodes.some((n) => n.op === "Identity")).toBe(false);
    const mean = model.arch.constants.find((c) => c.name === "bn1.running_mean");
    const variance = model.arch.constants.find((c) => c.name === "bn1.running_var");
    expect(mean?.values).toEqual(new Array(8).fill(0));
    expect(variance?.values).toEqual(new Array(8).fill(1));
    // Moving bn1.weight moves the BN's scale only: the output changes as scale * normalized, with var still 1.
    const layout = onnxLayout(model.arch);
    const names = layout.map((e) => e.name);
    expect(names).toEqual(["fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias", "fc2.weight", "fc2.bias"]);
    const ref = reference("fresh_bn");
    const theta = model.parameters.slice();
    const start = 8 * 4 + 8;
    for (let i = start; i < start + 8; i++) theta[i] = 3; // bn1.weight = 3 everywhere
    const out = tf.tidy(() => {
      const params = onnxParameterTensors(model.arch, theta);
      const x = tf.tensor2d(Float32Array.from(ref.x), [ref.count, 4]);
      const y = onnxForward(model.arch, params, x);
      // Expected: fc2(relu(3 * fc1(x) / sqrt(1 + 1e-5) + bn1.bias)), bn1.bias = 0.
      const p = onnxParameterTensors(model.arch, model.parameters);
      const h = tf.add(tf.matMul(x, p[0], false, true), p[1]);
      const e = tf.add(tf.matMul(tf.relu(tf.mul(h, 3 / Math.sqrt(1 + 1e-5))), p[4], false, true), p[5]);
      return tf.max(tf.abs(tf.sub(y, e))).dataSync()[0];
    });
    expect(out).toBeLessThan(1e-5);
  });

  it("freezes statistics that share a parameter's own initializer (no Identity in between)", () => {
    const proto = onnxProto.onnx.ModelProto.decode(bytes("fresh_bn"));
    const graph = proto.graph as onnxProto.onnx.GraphProto;
    graph.node = graph.node.filter((n) => n.opType !== "Identity");
    const bn = graph.node.find((n) => n.opType === "BatchNormalization") as onnxProto.onnx.NodeProto;
    bn.input[3] = "bn1.bias"; // running_mean = 0 = bn1.bias
    bn.input[4] = "bn1.weight"; // running_var = 1 = bn1.weight
    const shared = importOnnxModel(onnxProto.onnx.ModelProto.encode(proto).finish());
    const fresh = importOnnxModel(bytes("fresh_bn"));
    expect(onnxLayout(shared.arch).map((e) => e.name)).toEqual(onnxLayout(fresh.arch).map((e) => e.name));
    // Both models compute the same function at every point: bn1.weight = 3 scales, var stays 1.
    const theta = fresh.parameters.slice();
    theta.fill(3, 40, 48);
    const ref = reference("fresh_bn");
    const [a, b] = [shared, fresh].map((m) =>
      tf.tidy(() => {
        const params = onnxParameterTensors(m.arch, theta);
        const x = tf.tensor2d(Float32Array.from(ref.x), [ref.count, 4]);
        return onnxForward(m.arch, params, x).dataSync() as Float32Array;
      }),
    );
    expect(maxAbsDifference(a, b)).toBe(0);
  });

  it("refuses an unsupported operator naming the operator and its node", () => {
    expect(() => parseOnnx(bytes("unsupported"))).toThrow(
      /ONNX operator "Sin" \(node "\/Sin"\) is not supported/,
    );
  });

  it("refuses every truncation and byte flip of a model with an Error (never a hang or a crash)", () => {
    const whole = bytes("cnn_bn");
    const before = tf.memory().numTensors;
    let refused = 0;
    for (let cut = 0; cut < whole.length; cut += 97) {
      try {
        importOnnxModel(whole.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        refused++;
      }
    }
    for (let i = 0; i < whole.length; i += 131) {
      const flipped = whole.slice();
      flipped[i] ^= 0xff;
      try {
        importOnnxModel(flipped);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message.length).toBeGreaterThan(0);
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses bytes that are not an ONNX model", () => {
    expect(() => parseOnnx(new TextEncoder().encode('{"format": "layers-model"}'))).toThrow(
      /not an ONNX model/,
    );
    expect(() => parseOnnx(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });
});
