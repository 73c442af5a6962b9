import { tf } from "../../../src/core/tf";

/** A saved tfjs LayersModel: model.json (topology + weightsManifest) and the bytes of weights.bin. */
export interface SavedLayersModel {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** What model.save("file://dir") writes, kept in memory (the tests' way to make an importable model). */
export async function saveLayersModel(model: tf.LayersModel): Promise<SavedLayersModel> {
  let saved: SavedLayersModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = {
        modelJson: {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
        },
        weights: new Uint8Array(artifacts.weightData as ArrayBuffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (!saved) throw new Error("nothing saved");
  return saved;
}
