/**
 * The lessons in public/lessons/, in teaching order: flat and sharp minima, then paths between
 * minima (a unit test checks this list against the folder and parses every file). `file` is the
 * name inside public/lessons/. No tfjs here.
 *
 * @example const entry = LESSONS.find((l) => l.id === "learning-rate"); // entry.file === "learning-rate.json"
 */
export interface LessonEntry {
  id: string;
  title: string;
  file: string;
  /** "flatness": two experiments side by side (schema.ts); "paths": one paths run (paths-lesson.ts). */
  kind: "flatness" | "paths";
}

export const LESSONS: readonly LessonEntry[] = [
  {
    id: "learning-rate",
    title: "The learning rate sets the sharpness",
    file: "learning-rate.json",
    kind: "flatness",
  },
  { id: "batch-size", title: "Small and large batches", file: "batch-size.json", kind: "flatness" },
  {
    id: "sam",
    title: "Sharpness-aware minimization finds flatter minima",
    file: "sam.json",
    kind: "flatness",
  },
  {
    id: "rescaling",
    title: "The same function, a different sharpness",
    file: "rescaling.json",
    kind: "flatness",
  },
  { id: "width", title: "A wider network sits in a wider basin", file: "width.json", kind: "flatness" },
  {
    id: "activation-texture",
    title: "ReLU landscapes have kinks, tanh landscapes are smooth",
    file: "activation-texture.json",
    kind: "flatness",
  },
  {
    id: "mode-connectivity",
    title: "Two minima, a hill between them, and a valley around it",
    file: "mode-connectivity.json",
    kind: "paths",
  },
  {
    id: "permutation-symmetry",
    title: "Permuting hidden units moves a minimum next to another",
    file: "permutation-symmetry.json",
    kind: "paths",
  },
];
