/**
 * `attributeRuns(store, A, B)`: attribution (src/compare/attribute.ts) with the coalition runs
 * trained by `runExperiment` as children of A. The runner is injected from here because running
 * is the loop's job: compare never imports loop.
 *
 * With an executor (`attribute --workers N`, `attribute --queue redis://…`) the coalition runs go
 * out as recorded-run jobs (src/loop/run-job.ts) to local worker threads or to `mlloop worker`
 * processes on other machines writing into the same store; each job's run id is derived from
 * (A, B, coalition) and the attribution's start, so a job retried after its worker died is
 * recorded once.
 */
import {
  attributeWithRunner,
  type AttributeOptions,
  type AttributionPlan,
  type AttributionRecord,
  type CoalitionRunner,
} from "../compare/attribute.js";
import { CompareError } from "../errors.js";
import type { Executor } from "../search/executor.js";
import { canonicalJson } from "../spec/canonical.js";
import type { Spec } from "../spec/schema.js";
import type { RunRecord, Store } from "../track/store.js";
import { runExperiment, type StageEvents } from "./run-experiment.js";
import type { RunJobResult, RunJobTask } from "./run-job.js";
import { trialRunId } from "./sweep.js";

export interface AttributeRunsOptions extends AttributeOptions {
  /** Folder relative data paths in the specs are resolved against (default: the working directory). */
  readonly baseDir?: string;
  /** Trains a coalition's spec (default: `runExperiment` as a child of A). */
  readonly runner?: CoalitionRunner;
  /** Send the coalition runs as jobs here (parallel = its parallelism) instead of running them in this thread. */
  readonly executor?: Executor<RunJobTask, RunJobResult>;
  readonly events?: AttributeOptions["events"] & { stages?: StageEvents };
}

/** The data fingerprint a coalition must reproduce: A's or B's when it reads the same data, else none. */
function expectedFingerprint(spec: Spec, runs: readonly RunRecord[]): string | null {
  const data = canonicalJson(spec.data);
  for (const r of runs) {
    if (r.specJson === null || r.dataInfo?.fingerprint === undefined) continue;
    if (canonicalJson((JSON.parse(r.specJson) as { data?: unknown }).data) === data) return r.dataInfo.fingerprint;
  }
  return null;
}

export function attributeRuns(
  store: Store,
  a: string,
  b: string,
  options: AttributeRunsOptions = {},
): Promise<AttributionRecord | AttributionPlan> {
  const startedAt = Date.now();
  const baseDir = options.baseDir ?? process.cwd();
  const executor = options.executor;
  return attributeWithRunner(
    store,
    a,
    b,
    ({ a: runA, b: runB }) => {
      if (options.runner !== undefined) return options.runner;
      const notes = (label: string): string =>
        `attribution of ${runA.id.slice(0, 12)} → ${runB.id.slice(0, 12)}: ${label}`;
      if (executor === undefined) {
        return async (spec, info) =>
          (
            await runExperiment({
              spec,
              baseDir,
              store,
              parent: runA.id,
              name: `attribution ${info.label}`,
              notes: notes(info.label),
              tags: info.tags,
              events: options.events?.stages,
            })
          ).runId;
      }
      return async (spec, info) => {
        const task: RunJobTask = {
          kind: "run",
          runId: trialRunId(startedAt, `attribution ${runA.id}..${runB.id}`, info.mask),
          spec,
          baseDir,
          parent: runA.id,
          name: `attribution ${info.label}`,
          notes: notes(info.label),
          tags: info.tags,
          dataFingerprint: expectedFingerprint(spec, [runA, runB]),
        };
        const [result] = await executor.map([task]);
        if (result!.error !== null)
          throw new CompareError(`the coalition run ${info.label} (${result!.runId}) failed: ${result!.error}`);
        return result!.runId;
      };
    },
    { ...options, parallel: options.parallel ?? executor?.parallelism ?? 1 },
  );
}
