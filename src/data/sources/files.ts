/** Resolving data.path against the spec's folder, with errors that name both. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { DataError } from "../../errors.js";

export async function resolveDataPath(
  baseDir: string,
  value: string,
  kind: "file" | "folder",
): Promise<{ abs: string; size: number }> {
  const abs = path.resolve(baseDir, value);
  let info;
  try {
    info = await stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new DataError(`data ${kind} not found: ${abs} (from data.path = "${value}")`, { where: "data.path" });
    throw new DataError(`cannot read data ${kind} ${abs} (from data.path = "${value}"): ${(e as Error).message}`, {
      where: "data.path",
      cause: e,
    });
  }
  if (kind === "file" && info.isDirectory())
    throw new DataError(`data.path must be a file, but ${abs} is a folder (from data.path = "${value}")`, {
      where: "data.path",
    });
  if (kind === "folder" && !info.isDirectory())
    throw new DataError(
      `data.path must be a folder of label sub-folders, but ${abs} is a file (from data.path = "${value}")`,
      {
        where: "data.path",
      },
    );
  return { abs, size: info.size };
}

/** Lets progress bars repaint during long synchronous loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
