/** Small datasets for diagnosis tests, built so that the right answer is known. */
import type { Example } from "../../src/data/example.js";
import { sha1Hex } from "../../src/util/hash.js";

export function textExample(
  id: string,
  label: string,
  body: string,
  extra: { categorical?: Record<string, string | null>; numeric?: Record<string, number | null>; group?: string } = {},
): Example {
  return {
    id,
    label,
    group: extra.group ?? null,
    text: { body },
    numeric: extra.numeric ?? {},
    categorical: extra.categorical ?? {},
    contentHash: sha1Hex(`${id}\n${label}\n${body}`),
  };
}

export function labelsOf(examples: readonly Example[], classes: readonly string[]): Int32Array {
  return Int32Array.from(examples, (e) => classes.indexOf(e.label));
}
