import { describe, expect, it } from "vitest";
import { areOwnFiles, ownFilesExperiment } from "../../src/app/io/own-files";

const text = (s: string) => new TextEncoder().encode(s);
const modelJson = text(JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
const base = { seed: 3, model: { hiddenSizes: [8] }, training: { epochs: 5 } };

describe("your own model and data as an experiment", () => {
  it("runs a picked CSV with the current settings' MLP", () => {
    const r = ownFilesExperiment([{ name: "points.csv", bytes: text("1,2,0\n") }], base);
    expect(r.config).toEqual({ ...base, data: { name: "file", path: "points.csv" } });
    expect(Object.keys(r.files)).toEqual(["points.csv"]);
    expect(r.summary).toBe("the MLP of the current settings on points.csv");
  });

  it("takes a LayersModel with its weights as trained, and .npy features with their labels", () => {
    const r = ownFilesExperiment(
      [
        { name: "model.json", bytes: modelJson },
        { name: "weights.bin", bytes: new Uint8Array(4) },
        { name: "y_labels.npy", bytes: new Uint8Array(1) },
        { name: "x.npy", bytes: new Uint8Array(1) },
      ],
      base,
    );
    expect(r.config.model).toEqual({ kind: "layers", file: "model.json", train: false });
    expect(r.config.data).toEqual({ name: "file", path: "x.npy", labels: "y_labels.npy" });
    expect(Object.keys(r.files).sort()).toEqual(["model.json", "weights.bin", "x.npy", "y_labels.npy"]);
  });

  it("takes an ONNX model as trained, with a CSV", () => {
    const r = ownFilesExperiment(
      [
        { name: "net.onnx", bytes: new Uint8Array(8) },
        { name: "points.csv", bytes: text("1,2,0\n") },
      ],
      base,
    );
    expect(r.config.model).toEqual({ kind: "onnx", file: "net.onnx", train: false });
    expect(r.config.directions).toEqual({ method: "random", normalization: "filter", bias: "zero" });
    expect(r.summary).toBe("the ONNX model net.onnx as trained (no further training) on points.csv");
    expect(areOwnFiles(["net.onnx", "points.csv"])).toBe(true);
    expect(() =>
      ownFilesExperiment(
        [
          { name: "net.onnx", bytes: new Uint8Array(8) },
          { name: "model.json", bytes: modelJson },
          { name: "points.csv", bytes: text("1,2,0\n") },
        ],
        base,
      ),
    ).toThrow(/pick one model \(a model\.json or an \.onnx file\), not model\.json and net\.onnx/);
  });

  it("names what is wrong with a set of files", () => {
    const f = (name: string, bytes = new Uint8Array(1)) => ({ name, bytes });
    expect(() => ownFilesExperiment([f("model.json", modelJson)], base)).toThrow(
      /pick a dataset with the model/,
    );
    expect(() => ownFilesExperiment([f("w.bin"), f("a.csv")], base)).toThrow(
      /weight files \(\.bin\) need their model\.json/,
    );
    expect(() => ownFilesExperiment([f("a.csv"), f("b.csv")], base)).toThrow(/pick one dataset/);
    expect(() => ownFilesExperiment([f("a.npy"), f("b.npy"), f("c.npy")], base)).toThrow(
      /at most two \.npy files/,
    );
    expect(() => ownFilesExperiment([f("notes.json", text("{}")), f("a.csv")], base)).toThrow(
      /notes\.json is not a tfjs LayersModel/,
    );
    expect(areOwnFiles(["a.csv"])).toBe(true);
    expect(areOwnFiles(["run.json.gz"])).toBe(false);
  });
});
