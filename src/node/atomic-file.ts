/**
 * Atomic file writes for any bytes or text: the content goes to a temporary file in the target's
 * folder, is flushed, and the temporary file is renamed over the target, so a crash or a full disk
 * never leaves a half-written file (rename within one folder is atomic on POSIX and NTFS).
 *
 * @example await writeFileAtomic("runs/spirals.vtk", vtkText, "VTK file");
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Writes `content` (bytes, or text as UTF-8) to filePath atomically; errors name the file as `what`. */
export async function writeFileAtomic(
  filePath: string,
  content: Uint8Array | string,
  what = "file",
): Promise<void> {
  const dir = path.dirname(filePath);
  const tmp = path.join(
    dir,
    `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, filePath);
  } catch (error) {
    await rm(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? `its folder ${dir} does not exist`
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder"
            : (error as Error).message;
    throw new Error(`cannot write ${what} ${filePath}: ${reason}`, { cause: error });
  }
}
