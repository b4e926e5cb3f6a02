/**
 * The data stage's entry point: a DataSpec becomes a Dataset, whatever the source. Source-specific
 * reading lives in sources/; here are the checks every dataset must pass.
 */
import { DataError } from "../errors.js";
import type { DataSpec } from "../spec/schema.js";
import type { Dataset, Example } from "./example.js";
import { datasetFingerprint } from "./fingerprint.js";
import { loadCsv } from "./sources/csv.js";
import { loadEml } from "./sources/eml.js";
import { loadJsonl } from "./sources/jsonl.js";
import type { SourceOptions, SourceResult } from "./sources/source.js";
import { loadSpamAssassin } from "./sources/spamassassin.js";
import { seededSubsample } from "./subsample.js";

export interface LoadOptions {
  /** The spec file's folder: data.path is relative to it. */
  readonly baseDir: string;
  /** The spec seed (data.limit subsampling). */
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
}

function applyLimit(result: SourceResult, limit: number | undefined, seed: number): SourceResult {
  if (limit === undefined || limit >= result.examples.length) return result;
  const keep = seededSubsample(result.examples.length, limit, seed);
  const examples = Array.from(keep, (i) => result.examples[i]!);
  return {
    ...result,
    description: `${result.description}, limit ${limit.toLocaleString("en-US")} (seed ${seed})`,
    examples,
  };
}

/** Dataset-wide checks and derived fields: at least two classes, sorted classes, fingerprint. */
export function finalizeDataset(result: SourceResult): Dataset {
  const { examples } = result;
  if (examples.length === 0)
    throw new DataError(
      `no examples in the data: ${result.description}${result.badRows.length > 0 ? ` (${result.badRows.length} bad rows skipped)` : ""}`,
    );
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classes.length < 2) {
    const only = classes[0]!;
    throw new DataError(
      `only one class in the data: '${only}' (${counts.get(only)!.toLocaleString("en-US")} examples); a classifier needs at least two`,
    );
  }
  return {
    description: result.description,
    examples,
    classes,
    badRows: result.badRows,
    fingerprint: datasetFingerprint(examples),
    fields: result.fields,
  };
}

export async function loadDataset(data: DataSpec, opts: LoadOptions): Promise<Dataset> {
  const sourceOpts: SourceOptions = { baseDir: opts.baseDir, seed: opts.seed, onProgress: opts.onProgress };
  let result: SourceResult;
  switch (data.source) {
    case "spamassassin":
      // Subsampled inside the source, so that only the chosen messages are read and parsed.
      result = await loadSpamAssassin(data, opts.seed, opts.onProgress);
      break;
    case "eml":
      result = await loadEml(data, sourceOpts);
      break;
    case "csv":
      result = applyLimit(await loadCsv(data, sourceOpts), data.limit, opts.seed);
      break;
    case "jsonl":
      result = applyLimit(await loadJsonl(data, sourceOpts), data.limit, opts.seed);
      break;
  }
  return finalizeDataset(result);
}

export type { Dataset, Example };
