/**
 * `--read-memory <MB>`: the memory reading an input file may use, from which every read limit
 * derives (src/core/snapshot/limits.ts): with the default 1024 MB a file may expand to 128 MB
 * once read (inflated gzip, HDF5 datasets), and one array may hold 33,554,432 values. A big
 * landscape that needs more doubles it: `--read-memory 2048`. The default is the environment's
 * LANDSCAPE_READ_MEMORY (MB) when set, which also raises the limits of the commands without the
 * option (src/node/snapshot-file.ts).
 *
 * @example program.command("validate").addOption(readMemoryOption()).action((file, o) => validateCommand(file, cliReadLimits(o.readMemory)));
 */
import { Option } from "commander";
import { type ReadLimits, readLimits } from "../core/snapshot/limits";
import { READ_MEMORY_ENV, readMemoryMb } from "../node/snapshot-file";
import { integer } from "./option-parsers";

const MB = 2 ** 20;

/** The option, added to every command that reads a snapshot or an HDF5 file. */
export function readMemoryOption(): Option {
  return new Option(
    "--read-memory <MB>",
    `memory reading the input may use; the limits derive from it: a file's data once read (inflated gzip, HDF5 datasets) up to 1/8 of it, one array up to 1/32 of it in values (default ${READ_MEMORY_ENV} or 1024: 128 MB and 33,554,432 values)`,
  ).argParser(integer("--read-memory", 16, 1024 * 1024));
}

/**
 * The limits for `--read-memory` (MB; absent: LANDSCAPE_READ_MEMORY or 1024, read here so that a
 * bad value is the command's error), with a message saying how to raise them.
 */
export function cliReadLimits(readMemory?: number): ReadLimits {
  const memoryMb = readMemory ?? readMemoryMb();
  return readLimits(memoryMb * MB, 'see README "Robustness and security"', "--read-memory {MB}");
}
