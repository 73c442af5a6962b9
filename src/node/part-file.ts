/**
 * Part files on disk (the format: src/core/shards/part.ts), written durably as tiles finish:
 * - a new part appears whole or not at all: its header is written to a temporary file, flushed,
 *   and hard-linked to the part's name, which fails if another process created it first (then
 *   that one's header is read and checked instead);
 * - each record is one append of a whole line (O_APPEND), flushed (fdatasync) before the next
 *   tile counts as done, so a kill at any moment leaves every earlier line intact and at most the
 *   last one cut short;
 * - reopening a part with a cut last line rewrites it without that line (atomically: temporary
 *   file, rename) and appends a resume record.
 * Two processes writing the same part (the same shard run twice at once) append whole lines of
 * identical tiles, which readers take once; a rewrite while another process appends may drop that
 * process's later tiles, never corrupt the file.
 *
 * @example const w = await openPartFile(path, header, planTiles); await w.append(record); await w.close();
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Tile } from "../core/landscape/grid";
import {
  encodePartHeader,
  encodeResumeRecord,
  type ParsedPart,
  type PartHeader,
  type PartSession,
  parsePart,
} from "../core/shards/part";
import { writeFileAtomic } from "./atomic-file";

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return (error as Error).message;
}

/**
 * Reads and parses a part file (never throws for bad content: see ParsedPart.problems and
 * truncated); throws when the file cannot be read at all.
 */
export async function readPartFile(file: string, rects?: readonly Tile[]): Promise<ParsedPart> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read part ${file}: ${reason(error)}`, { cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      source: file,
      header: null,
      tiles: new Map(),
      problems: ["not UTF-8 text: not a part file, or a damaged one"],
      truncated: null,
      sessions: [],
      done: null,
    };
  }
  return parsePart(text, file, rects);
}

/** Flushes a folder's entries (a new name survives a crash); best effort where folders cannot be opened. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms and file systems cannot fsync a folder; the data itself is flushed.
  }
}

/** Creates `file` holding exactly `text`, or returns false when it exists already. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    await syncFolder(dir);
    return true;
  } catch (error) {
    throw new Error(`cannot create part ${file}: ${reason(error)}`, { cause: error });
  } finally {
    await rm(tmp, { force: true });
  }
}

/** A part opened for appending: what it held when opened, and a durable append. */
interface PartWriter {
  readonly path: string;
  /** The part as opened (after dropping a cut last line): its tiles are done. */
  readonly opened: ParsedPart;
  /** True when the file existed (this is a resumed or repeated run). */
  readonly resumed: boolean;
  /** True when a cut last line was dropped on opening. */
  readonly repaired: boolean;
  /** Appends a resume record (this session, the tiles found): before computing more of an existing part. */
  resume(): Promise<void>;
  /** Appends one record line and flushes it; calls are queued in order. */
  append(line: string): Promise<void>;
  close(): Promise<void>;
}

/** Refuses a part that exists but is not this shard's, or is damaged beyond a cut last line. */
function checkExisting(p: ParsedPart, header: PartHeader): void {
  const file = p.source;
  if (!p.header) {
    throw new Error(
      `${file} exists but is not a usable part (${p.problems.join("; ")}): move it away or give another --out`,
    );
  }
  if (p.header.plan !== header.plan) {
    throw new Error(
      `${file} holds tiles of another plan (${p.header.plan}, not ${header.plan}): give another --out, or delete it`,
    );
  }
  const a = p.header.shard;
  const b = header.shard;
  if (a.index !== b.index || a.count !== b.count) {
    throw new Error(
      `${file} holds shard ${a.index} of ${a.count}, not ${b.index} of ${b.count}: give another --out`,
    );
  }
  if (p.problems.length > 0) {
    throw new Error(
      `${file} is corrupted (${p.problems.join("; ")}): delete it to compute its tiles again, or move it away`,
    );
  }
}

/**
 * Opens (creating or resuming) the part of one shard. `session` is what resume() records. Throws, naming the file, when an existing part belongs to another plan
 * or shard or is corrupted.
 */
export async function openPartFile(
  file: string,
  header: PartHeader,
  rects: readonly Tile[],
  session: PartSession,
): Promise<PartWriter> {
  await mkdir(path.dirname(file), { recursive: true }).catch(() => {});
  const headerLine = `${encodePartHeader(header)}\n`;
  let opened: ParsedPart | null = null;
  let resumed = false;
  let repaired = false;
  for (let attempt = 0; attempt < 3 && !opened; attempt++) {
    let text: string | null = null;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new Error(`cannot read part ${file}: ${reason(error)}`, { cause: error });
      }
    }
    if (text === null) {
      if (await createExclusive(file, headerLine)) opened = parsePart(headerLine, file, rects);
      continue; // created by another process meanwhile: read that one
    }
    let p = parsePart(text, file, rects);
    checkExisting(p, header);
    if (p.truncated) {
      await writeFileAtomic(file, text.slice(0, p.truncated.keepChars), "part");
      p = parsePart(text.slice(0, p.truncated.keepChars), file, rects);
      repaired = true;
    }
    resumed = true;
    opened = p;
  }
  if (!opened) throw new Error(`cannot open part ${file}: it keeps appearing and disappearing`);
  let handle: FileHandle;
  try {
    handle = await open(file, "a");
  } catch (error) {
    throw new Error(`cannot append to part ${file}: ${reason(error)}`, { cause: error });
  }
  let queue: Promise<void> = Promise.resolve();
  const writeLine = async (line: string) => {
    const bytes = Buffer.from(`${line}\n`, "utf8");
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, null);
      at += bytesWritten;
    }
    await handle.datasync();
  };
  const append = (line: string) => {
    const next = queue.then(() => writeLine(line));
    queue = next.catch(() => {});
    return next.catch((error: unknown) => {
      throw new Error(`cannot write to part ${file}: ${reason(error)}`, { cause: error });
    });
  };
  return {
    path: file,
    opened,
    resumed,
    repaired,
    append,
    resume: () => append(encodeResumeRecord({ ...session, done: (opened as ParsedPart).tiles.size })),
    async close() {
      await queue;
      await handle.close();
    },
  };
}
