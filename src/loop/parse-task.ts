/**
 * Pool task: read and parse a shard of corpus messages in a worker thread and send them back
 * encoded (example-codec.ts) in one transferred buffer — the same bytes the parse cache stores.
 */
import { encodeExamples } from "../data/example-codec.js";
import { readSpamAssassinMessage } from "../data/sources/spamassassin.js";
import { duplicateKey } from "../data/split.js";

export interface ParseShared {
  /** The corpus package's data folder. */
  readonly dir: string;
}

export interface ParseTask {
  /** Dataset position of the shard's first message. */
  readonly start: number;
  /** file_list.json entries, in dataset order. */
  readonly files: readonly string[];
}

export interface ParseResult {
  readonly start: number;
  readonly count: number;
  readonly bytes: Uint8Array;
  /** duplicateKey of each message, computed here in parallel rather than by the split on the main thread. */
  readonly keys: string[];
}

export function init(shared: ParseShared): ParseShared {
  return shared;
}

export function run(state: ParseShared, task: ParseTask): ParseResult {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const examples = task.files.map((f) => readSpamAssassinMessage(state.dir, f));
  encodeExamples(examples, (c) => {
    chunks.push(c);
    total += c.length;
  });
  // a buffer of its own (not a slice of Node's shared pool) so that it can be transferred
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { start: task.start, count: task.files.length, bytes, keys: examples.map(duplicateKey) };
}

export function transfer(result: ParseResult): ArrayBuffer[] {
  return [result.bytes.buffer as ArrayBuffer];
}
