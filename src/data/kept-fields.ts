/**
 * What a run keeps of an example when its features read only some of its text fields (the words and
 * spelling families): those fields, its identity and its numeric and categorical columns — not the
 * raw message, its headers, HTML, links or the parsed message (83 of the spam corpus's 98 MB of
 * strings). The kept example is judged for duplicates on the text the whole one would be, so a split
 * of kept examples is the split of the whole ones.
 */
import type { Example } from "./example.js";
import { rememberDuplicateSource } from "./split.js";

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 represents `raw.slice(a, b)`
 * as a view that keeps all of `raw` alive, and a parsed message's body and header values are such
 * views of the raw message wherever no decoding was needed: keeping a subject kept the whole message.
 * Concatenation then slicing flattens into a new string (one character longer, the slice a view of it).
 */
export function detachedString(s: string): string {
  return (" " + s).slice(1);
}

/**
 * `ex` cut down to its text fields `fields` and its id, label, group, numeric and categorical columns
 * and content hash, the strings as own copies (see detachedString). `ex` itself when it is not a parsed message or
 * lacks one of the fields, so that the family reading them reports what it has.
 */
export function keepTextFields(ex: Example, fields: readonly string[]): Example {
  if (ex.email === undefined) return ex;
  const text: Record<string, string> = {};
  for (const f of fields) {
    const v = ex.text[f];
    if (typeof v !== "string" || !Object.prototype.hasOwnProperty.call(ex.text, f)) return ex;
    text[f] = detachedString(v);
  }
  // a decoded example's strings are all views of its record's one string (example-codec.ts): an id
  // kept as it is would keep the whole message
  const kept: Example = {
    id: detachedString(ex.id),
    label: detachedString(ex.label),
    group: ex.group === null ? null : detachedString(ex.group),
    text,
    numeric: ex.numeric,
    categorical: ex.categorical,
    contentHash: detachedString(ex.contentHash),
  };
  // duplicates are judged on the parsed body text: the kept copy when the body is kept, else its own copy
  const source = ex.email.text;
  const keptBody = text["body"];
  rememberDuplicateSource(kept, keptBody !== undefined && keptBody === source ? keptBody : detachedString(source));
  return kept;
}
