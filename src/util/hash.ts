/** Content hashes used for fingerprints, spec hashes and content-addressed artifacts. */
import { createHash } from "node:crypto";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function sha1Hex(data: string | Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}
