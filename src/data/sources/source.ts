/** What each source hands to loadDataset, before the dataset-wide checks (classes, fingerprint). */
import type { BadRow, DatasetFields, Example } from "../example.js";

export interface SourceResult {
  readonly description: string;
  readonly examples: Example[];
  readonly badRows: BadRow[];
  readonly fields: DatasetFields;
}

export interface SourceOptions {
  readonly baseDir: string;
  readonly seed: number;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}
