import { classesFromNames, classIndices, type Samples } from "./samples";
import type { Task } from "./types";

/**
 * CSV files as datasets: numeric feature columns plus one label column.
 *
 * - Fields are separated by commas (or semicolons or tabs, detected from the first line); a field
 *   may be quoted with double quotes ("" is a literal quote). Blank lines are skipped.
 * - header "auto" (the default): the first line is a header when it has more non-numeric fields
 *   than the second line (so a header of names is recognised even when labels are strings).
 * - label: the label column by header name or 0-based index (negative counts from the end);
 *   default the last column. Every other column is a numeric feature.
 * - classification: labels that are all integers are class indices 0..C-1 (C = max + 1, or
 *   `classes`); otherwise the distinct label strings, sorted, are classes 0..C-1.
 *   regression: the label column is a numeric target (outputSize 1).
 *
 * Errors name the line (1-based, as an editor shows it) and the column.
 *
 * @example parseCsvSamples("a,b,species\n5.1,3.5,setosa\n...", { label: "species" })
 */
interface CsvOptions {
  label?: string | number;
  header?: boolean | "auto";
  task?: Task;
  /** Classification with integer labels: the number of classes (default: largest label + 1). */
  classes?: number;
  /** Source name for messages, e.g. the file name. */
  source?: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | null {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : null;
}

/** Fields of one line; double quotes group a field (with "" for a quote inside). */
function splitLine(line: string, delimiter: string, lineNo: number, source: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  if (quoted) throw new Error(`${source}: line ${lineNo} has an unterminated quoted field`);
  fields.push(field);
  return fields.map((f) => f.trim());
}

function detectDelimiter(line: string): string {
  for (const d of [",", ";", "\t"]) if (line.includes(d)) return d;
  return ",";
}

/** Fields that are text (names, string labels); empty fields count as neither text nor numbers. */
const nonNumeric = (fields: readonly string[]) =>
  fields.filter((f) => f !== "" && parseNumber(f) === null).length;

/** Parses CSV text into samples (not yet split). Throws naming the line and column of the first problem. */
export function parseCsvSamples(text: string, options: CsvOptions = {}): Samples {
  const source = options.source ?? "CSV";
  const task = options.task ?? "classification";
  const lines: { no: number; text: string }[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\n|\r/)
    .forEach((t, i) => {
      if (t.trim() !== "") lines.push({ no: i + 1, text: t });
    });
  if (lines.length === 0) throw new Error(`${source}: the file is empty`);
  const delimiter = detectDelimiter(lines[0].text);
  const rows = lines.map((l) => splitLine(l.text, delimiter, l.no, source));
  const width = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== width) {
      throw new Error(
        `${source}: line ${lines[i].no} has ${r.length} field${r.length === 1 ? "" : "s"}, expected ${width} (as line ${lines[0].no})`,
      );
    }
  });
  if (width < 2)
    throw new Error(`${source}: needs at least 2 columns (features and a label), line ${lines[0].no} has 1`);
  const header =
    options.header === "auto" || options.header === undefined
      ? rows.length > 1 && nonNumeric(rows[0]) > nonNumeric(rows[1])
      : options.header;
  const names = header ? rows[0] : rows[0].map((_, j) => `column ${j + 1}`);
  const data = header ? rows.slice(1) : rows;
  const dataLines = header ? lines.slice(1) : lines;
  if (data.length === 0) throw new Error(`${source}: no data rows${header ? " after the header" : ""}`);

  let labelColumn = width - 1;
  const label = options.label;
  if (typeof label === "string") {
    if (!header) {
      throw new Error(
        `${source}: label "${label}" names a column, but the file has no header line; give its index instead`,
      );
    }
    labelColumn = names.indexOf(label);
    if (labelColumn < 0) {
      throw new Error(
        `${source}: no column "${label}" in the header; the columns are ${names.map((n) => `"${n}"`).join(", ")}`,
      );
    }
  } else if (typeof label === "number") {
    if (!Number.isInteger(label) || label >= width || label < -width) {
      throw new Error(
        `${source}: label column index ${label} is out of range for ${width} columns (0..${width - 1}, or negative from the end)`,
      );
    }
    labelColumn = label < 0 ? width + label : label;
  }

  const count = data.length;
  const inputSize = width - 1;
  const x = new Float32Array(count * inputSize);
  const labelText: string[] = new Array(count);
  data.forEach((row, i) => {
    let k = i * inputSize;
    for (let j = 0; j < width; j++) {
      if (j === labelColumn) {
        labelText[i] = row[j];
        continue;
      }
      const v = parseNumber(row[j]);
      const column = `column ${j + 1}${header ? ` ("${names[j]}")` : ""}`;
      if (v === null || !Number.isFinite(v)) {
        const what =
          row[j] === ""
            ? "is empty"
            : `${JSON.stringify(row[j])} is not a ${v === null ? "" : "finite "}number`;
        throw new Error(`${source}: line ${dataLines[i].no}, ${column}: ${what}`);
      }
      x[k++] = v;
    }
  });
  const where = (i: number) => `${source}: line ${dataLines[i].no}`;
  const labelNumbers = labelText.map(parseNumber);
  const samples = { x, count, inputShape: [inputSize] };
  if (task === "regression") {
    const y = new Float32Array(count);
    labelNumbers.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        throw new Error(
          `${where(i)}, column ${labelColumn + 1} (the target): ${JSON.stringify(labelText[i])} is not a finite number`,
        );
      }
      y[i] = v;
    });
    return { ...samples, y, task, outputSize: 1 };
  }
  if (labelNumbers.every((v) => v !== null)) {
    const { y, classes } = classIndices(labelNumbers as number[], where, options.classes);
    return { ...samples, y, task, outputSize: classes, classes };
  }
  labelText.forEach((t, i) => {
    if (t === "") throw new Error(`${where(i)}, column ${labelColumn + 1}: the label is empty`);
  });
  if (options.classes !== undefined) {
    throw new Error(
      `${source}: classes is only for integer labels; these labels are strings (classes come from the distinct strings)`,
    );
  }
  const { y, classes, classNames } = classesFromNames(labelText);
  return { ...samples, y, task, outputSize: classes, classes, classNames };
}
