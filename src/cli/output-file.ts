/**
 * A file a command is about to write (`report -o`, `export -o`, `demo --report`), checked before
 * any work is done: its folder must exist, and it must be a new file or a regular one. Writing over
 * a folder failed late as "internal error: EISDIR", and the write-then-rename of a bundle would
 * replace a FIFO or a device (/dev/null, run as root) by a plain file.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";

export function checkOutputFile(file: string, flag: string): string {
  const abs = resolve(file);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = null;
  }
  if (st !== null && st.isDirectory())
    throw new UsageError(`${flag} ${abs} is a folder: give a file name, e.g. ${resolve(abs, "out.html")}`, {
      where: flag,
    });
  if (st !== null && !st.isFile())
    throw new UsageError(`${flag} ${abs} is not a regular file (a device, FIFO or socket): give a file name`, {
      where: flag,
    });
  let folder;
  try {
    folder = statSync(dirname(abs));
  } catch {
    folder = null;
  }
  if (folder === null || !folder.isDirectory())
    throw new UsageError(`${flag} ${abs}: the folder ${dirname(abs)} does not exist (create it first)`, {
      where: flag,
    });
  return abs;
}
