/**
 * Writes the hostile corpus (corpus.ts) into a folder, to try the files by hand on the CLI or by
 * dropping them on the page: `npx tsx tests/hostile/write-corpus.ts /tmp/hostile` (default
 * folder: hostile-corpus in the system's temporary folder). Prints each file with its size on
 * disk and what it is. The tests build the same files themselves at test time.
 */
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sizeText } from "../../src/core/snapshot/limits";
import { HOSTILE_FILES, writeHostileCorpus } from "./corpus";

const dir = process.argv[2] ?? join(tmpdir(), "hostile-corpus");
const paths = await writeHostileCorpus(dir);
for (const f of HOSTILE_FILES) {
  const path = paths.get(f.name) as string;
  const { size } = await stat(path);
  process.stdout.write(
    `${f.name.padEnd(30)} ${sizeText(size).padStart(9)}  ${f.expect.padEnd(8)}  ${f.what}\n`,
  );
}
process.stdout.write(`wrote ${paths.size} files to ${dir}\n`);
