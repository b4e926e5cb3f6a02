/**
 * `attributeRuns(store, A, B)`: attribution (src/compare/attribute.ts) with the coalition runs
 * trained by `runExperiment` as children of A. The runner is injected from here because running
 * is the loop's job: compare never imports loop.
 */
import {
  attributeWithRunner,
  type AttributeOptions,
  type AttributionPlan,
  type AttributionRecord,
  type CoalitionRunner,
} from "../compare/attribute.js";
import type { Store } from "../track/store.js";
import { runExperiment, type StageEvents } from "./run-experiment.js";

export interface AttributeRunsOptions extends AttributeOptions {
  /** Folder relative data paths in the specs are resolved against (default: the working directory). */
  readonly baseDir?: string;
  /** Trains a coalition's spec (default: `runExperiment` as a child of A). */
  readonly runner?: CoalitionRunner;
  readonly events?: AttributeOptions["events"] & { stages?: StageEvents };
}

export function attributeRuns(
  store: Store,
  a: string,
  b: string,
  options: AttributeRunsOptions = {},
): Promise<AttributionRecord | AttributionPlan> {
  return attributeWithRunner(
    store,
    a,
    b,
    ({ a: runA, b: runB }) =>
      options.runner ??
      (async (spec, info) =>
        (
          await runExperiment({
            spec,
            baseDir: options.baseDir ?? process.cwd(),
            store,
            parent: runA.id,
            name: `attribution ${info.label}`,
            notes: `attribution of ${runA.id.slice(0, 12)} → ${runB.id.slice(0, 12)}: ${info.label}`,
            tags: info.tags,
            events: options.events?.stages,
          })
        ).runId),
    options,
  );
}
