/**
 * What every data source produces. An example keeps a stable id across runs (that is what makes
 * per-example comparison, manual tags and flips possible), its label as a string, and named
 * fields of three kinds: text, numeric and categorical. Email sources also keep the parsed
 * message for the email feature families.
 */
import type { ParsedEmail } from "./email/types.js";

export interface Example {
  /** Stable across runs: spamassassin "<group>/<file stem>", csv/jsonl: the id column, eml: relative path. */
  readonly id: string;
  readonly label: string;
  /** Source group (spamassassin folder, csv group column, eml sub-folder); used by group splits and slices. */
  readonly group: string | null;
  /** Named text fields; email sources provide subject, body, from, to, headers, raw. */
  readonly text: Readonly<Record<string, string>>;
  readonly numeric: Readonly<Record<string, number | null>>;
  readonly categorical: Readonly<Record<string, string | null>>;
  readonly email?: ParsedEmail;
  /** SHA-1 hex of the example's raw content (row or message), for fingerprints. */
  readonly contentHash: string;
}

/** A row or message the source could not use, with where it was. */
export interface BadRow {
  /** "file:line" or "file:line:column" or an example id */
  readonly where: string;
  readonly reason: string;
}

/** Which named fields the examples carry (what feature families may ask for) and where Example.group comes from. */
export interface DatasetFields {
  readonly text: readonly string[];
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
  /** The column (csv/jsonl) or notion (spamassassin "group", eml "folder") behind Example.group; null when none. */
  readonly group: string | null;
}

export interface Dataset {
  /** Human-readable description of where the data came from ("spamassassin (6046 messages)") */
  readonly description: string;
  readonly examples: readonly Example[];
  /** Distinct label values, sorted; class index = position in this list. */
  readonly classes: readonly string[];
  /** Rows skipped under on_bad_row: skip (empty otherwise: a bad row is an error). */
  readonly badRows: readonly BadRow[];
  /** SHA-256 hex over the sorted (id, contentHash, label) triples: changes when any example changes. */
  readonly fingerprint: string;
  /** The declared fields (added by the data stage; optional so hand-built datasets need not say). */
  readonly fields?: DatasetFields;
}
