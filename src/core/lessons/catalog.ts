/**
 * The lessons in public/lessons/, in teaching order (a unit test checks this list against the
 * folder and parses every file). `file` is the name inside public/lessons/. No tfjs here.
 *
 * @example const entry = LESSONS.find((l) => l.id === "learning-rate"); // entry.file === "learning-rate.json"
 */
export interface LessonEntry {
  id: string;
  title: string;
  file: string;
}

export const LESSONS: readonly LessonEntry[] = [
  { id: "learning-rate", title: "The learning rate sets the sharpness", file: "learning-rate.json" },
  { id: "batch-size", title: "Small and large batches", file: "batch-size.json" },
  { id: "sam", title: "Sharpness-aware minimization finds flatter minima", file: "sam.json" },
  { id: "rescaling", title: "The same function, a different sharpness", file: "rescaling.json" },
  { id: "width", title: "A wider network sits in a wider basin", file: "width.json" },
  {
    id: "activation-texture",
    title: "ReLU landscapes have kinks, tanh landscapes are smooth",
    file: "activation-texture.json",
  },
];
