/**
 * The training split's features for screening, through the same stage cache as full runs: the
 * features a screened candidate needs are computed once, and the full run that follows is served
 * from the cache. Only the training rows (and their labels) leave this module.
 */
import { resolvePositiveClass } from "./run-experiment.js";
import type { Spec } from "../spec/schema.js";
import type { Dataset } from "../data/example.js";
import type { FamilyMemo } from "../features/pipeline.js";
import { deriveSeed } from "../util/random.js";
import { duplicateClusters } from "../data/split.js";
import { prepareInputs } from "./cache-inputs.js";
import type { StageCache } from "./cache.js";
import type { CatalogueData } from "../recommend/catalogue.js";
import type { TrainMatrix } from "../recommend/screening.js";

export interface LoopData {
  readonly classes: readonly string[];
  readonly positive: number | null;
  readonly catalogue: CatalogueData;
}

export function seedsOf(spec: Spec): { data: number; split: number } {
  return { data: deriveSeed(spec.seed, "data"), split: deriveSeed(spec.seed, "split") };
}

const noStage = async <T>(_name: string, fn: () => T | Promise<T>): Promise<T> => fn();

/**
 * The training split's features for screening. `datasets` holds the parsed datasets of one loop, so
 * screening many feature variants decodes the parse cache once (and nothing outlives the loop).
 * `withGroups` adds the exact-duplicate group of each training row (the incumbent's matrix: fold layout).
 */
export async function trainMatrixOf(
  spec: Spec,
  baseDir: string,
  cache: StageCache | null,
  datasets?: Map<string, Promise<Dataset>>,
  withGroups = false,
  families?: Map<string, FamilyMemo>,
): Promise<TrainMatrix> {
  const inputs = await prepareInputs({
    spec,
    baseDir,
    seeds: seedsOf(spec),
    cache,
    stage: noStage,
    trainOnly: true,
    datasetMemo: datasets,
    ...(families === undefined ? {} : { familyMemo: families }),
  });
  const rows = inputs.idx.train;
  let groups: Int32Array | null = null;
  if (withGroups && spec.data.split.duplicates !== "keep") {
    // the split's own duplicate clusters (cached per parsed dataset), restricted to training rows
    const groupOf = new Map<number, number>();
    duplicateClusters(await inputs.examples()).forEach((members, g) => {
      for (const i of members) groupOf.set(i, g);
    });
    groups = Int32Array.from(rows, (i) => groupOf.get(i) ?? -1);
  }
  return { X: inputs.X.train, y: Int32Array.from(rows, (i) => inputs.y[i]!), groups };
}

export async function loopDataOf(spec: Spec, baseDir: string, cache: StageCache | null): Promise<LoopData> {
  const inputs = await prepareInputs({ spec, baseDir, seeds: seedsOf(spec), cache, stage: noStage });
  const ds = inputs.dataset;
  const fields = ds.fields;
  const email = spec.data.source === "spamassassin" || spec.data.source === "eml";
  return {
    classes: ds.classes,
    positive: resolvePositiveClass(spec, ds.classes),
    catalogue: {
      textFields: fields?.text ?? [],
      numericColumns: fields?.numeric ?? [],
      categoricalColumns: fields?.categorical ?? [],
      nClasses: ds.classes.length,
      email,
    },
  };
}
