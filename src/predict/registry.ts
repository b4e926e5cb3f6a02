/**
 * Named model versions (the library side of `mlloop model`): promoting a run checks that its
 * pipeline loads (a run that cannot predict is never promoted), records who promoted it and the
 * run's dev and test metrics at that moment, and moves the alias in one atomic store write.
 */
import { userInfo, hostname } from "node:os";
import { UsageError } from "../errors.js";
import type { ModelPromotion, PromotionMetrics, Store } from "../track/store.js";
import { parseModelRef } from "./model-ref.js";
import { loadRunPipeline } from "./pipeline.js";

/** Who is promoting: $MLLOOP_USER, else the OS user at this host. */
export function currentUser(): string {
  const fromEnv = process.env["MLLOOP_USER"];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim();
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `${user}@${hostname()}`;
}

/** The run's metrics per split (dev and test), each at its last step. */
export async function runMetricsNow(store: Store, runId: string): Promise<PromotionMetrics> {
  const out: Record<string, Record<string, number>> = {};
  const steps: Record<string, number> = {};
  for (const m of await store.getMetrics(runId as never)) {
    if (m.split !== "dev" && m.split !== "test") continue;
    const key = `${m.split}\u0000${m.name}`;
    if (steps[key] !== undefined && steps[key] > m.step) continue;
    steps[key] = m.step;
    (out[m.split] ??= {})[m.name] = m.value;
  }
  return out;
}

export interface PromoteOptions {
  readonly by?: string;
  readonly note?: string | null;
}

/** `mlloop model promote RUN --as NAME@ALIAS`. */
export async function promoteRun(
  store: Store,
  runRef: string,
  target: string,
  options: PromoteOptions = {},
): Promise<ModelPromotion> {
  const parsed = parseModelRef(target);
  if (parsed.kind !== "alias") {
    throw new UsageError(`--as ${JSON.stringify(target)}: expected NAME@ALIAS, e.g. spam-filter@production`);
  }
  const run = await store.getRun(runRef);
  // fails with the reason when the run cannot be used to predict
  await loadRunPipeline(store, run);
  return store.promoteModel({
    name: parsed.name,
    alias: parsed.alias,
    runId: run.id,
    promotedBy: options.by ?? currentUser(),
    metrics: await runMetricsNow(store, run.id),
    note: options.note ?? null,
  });
}
