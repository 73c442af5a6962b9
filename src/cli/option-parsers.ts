/**
 * Parsers of option values shared by the CLI's commands (commander's argParser): a bad value is
 * an InvalidArgumentError that names the option, what it must be, and (for numbers) what it got.
 *
 * @example program.command("paths").addOption(arraysOption()).addOption(evaluatorOption())
 */
import { InvalidArgumentError, Option } from "commander";
import { TRAINING_PATHS } from "../core/kernel/training-path";
import { EVALUATOR_NAMES } from "../core/landscape/evaluators";

/** One of `allowed`, e.g. "--arrays must be one of base64, plain". */
export function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  };
}

/** A whole number in [min, max], e.g. "--seed must be an integer in [0, 4294967295], got -3". */
export function integer(option: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
      throw new InvalidArgumentError(`${option} must be an integer ${range}, got ${value}`);
    }
    return n;
  };
}

/** The --arrays option's values: the snapshot's array encoding. */
export const ARRAY_MODES = ["base64", "plain"] as const;

/** `--arrays <mode>`: the array encoding of the snapshots a command writes (default base64). */
export function arraysOption(
  description = "array encoding: base64 (compact) or plain (JSON numbers)",
): Option {
  return new Option("--arrays <mode>", description)
    .argParser(choice("--arrays", ARRAY_MODES))
    .default("base64");
}

/** `--training-path <name>`: the code that trains MLPs and computes their curvature (kernel/training-path.ts). */
export function trainingPathOption(): Option {
  return new Option(
    "--training-path <name>",
    `training and curvature path for MLPs: auto, ${TRAINING_PATHS.join(", ")} (auto: the WebAssembly kernel where it runs)`,
  )
    .argParser(choice("--training-path", ["auto", ...TRAINING_PATHS]))
    .default("auto");
}

/** `--evaluator <name>`: the landscape evaluation path (default: the fastest for the backend). */
export function evaluatorOption(): Option {
  return new Option(
    "--evaluator <name>",
    `landscape evaluation path: ${EVALUATOR_NAMES.join(", ")} (default: the fastest for the backend)`,
  ).argParser(choice("--evaluator", EVALUATOR_NAMES));
}
