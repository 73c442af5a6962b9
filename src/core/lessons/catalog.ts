/**
 * The lessons in public/lessons/, in teaching order: flat and sharp minima, then paths between
 * minima (a unit test checks this list against the folder and parses every file). `file` is the
 * name inside public/lessons/. No tfjs here.
 *
 * @example const entry = LESSONS.find((l) => l.id === "learning-rate"); // entry.file === "learning-rate.json"
 */
interface LessonEntry {
  id: string;
  title: string;
  /** What the Lesson picker shows (a title is a whole claim, too long for a picker). */
  short: string;
  file: string;
  /** "flatness": two experiments side by side (schema.ts); "paths": one paths run (paths-lesson.ts). */
  kind: "flatness" | "paths";
}

export const LESSONS: readonly LessonEntry[] = [
  {
    id: "learning-rate",
    short: "Learning rate",
    title: "The learning rate sets the sharpness",
    file: "learning-rate.json",
    kind: "flatness",
  },
  {
    id: "batch-size",
    short: "Batch size",
    title: "Small and large batches",
    file: "batch-size.json",
    kind: "flatness",
  },
  {
    id: "sam",
    short: "Sharpness-aware minimization",
    title: "Sharpness-aware minimization finds flatter minima",
    file: "sam.json",
    kind: "flatness",
  },
  {
    id: "rescaling",
    short: "Rescaling",
    title: "The same function, a different sharpness",
    file: "rescaling.json",
    kind: "flatness",
  },
  {
    id: "width",
    short: "Width",
    title: "A wider network sits in a wider basin",
    file: "width.json",
    kind: "flatness",
  },
  {
    id: "activation-texture",
    short: "ReLU vs tanh",
    title: "ReLU landscapes have kinks, tanh landscapes are smooth",
    file: "activation-texture.json",
    kind: "flatness",
  },
  {
    id: "depth-skips",
    short: "Depth and skips",
    title: "Depth needs skip connections",
    file: "depth-skips.json",
    kind: "flatness",
  },
  {
    id: "cnn-vs-mlp",
    short: "CNN vs MLP",
    title: "A convolution's inductive bias",
    file: "cnn-vs-mlp.json",
    kind: "flatness",
  },
  {
    id: "regression-vs-classification",
    short: "Regression vs classification",
    title: "A classifier's minimum keeps flattening, a regression's settles",
    file: "regression-vs-classification.json",
    kind: "flatness",
  },
  {
    id: "gnn-oversmoothing",
    short: "GNN oversmoothing",
    title: "Deep graph networks oversmooth",
    file: "gnn-oversmoothing.json",
    kind: "flatness",
  },
  {
    id: "mode-connectivity",
    short: "Mode connectivity",
    title: "Two minima, a hill between them, and a valley around it",
    file: "mode-connectivity.json",
    kind: "paths",
  },
  {
    id: "permutation-symmetry",
    short: "Permutation symmetry",
    title: "Permuting hidden units moves a minimum next to another",
    file: "permutation-symmetry.json",
    kind: "paths",
  },
];
