/**
 * The loop's one window on the diagnosis: it turns whatever `mlloop diagnose` computes into the
 * findings the catalogue knows by type (avoidable bias, variance, data mismatch, error tags, a
 * threshold far from the best one). Nothing else in the loop reads a diagnosis's internals, so when
 * the diagnoses change shape only this file changes.
 */
import { diagnoseRun } from "./diagnose-run.js";
import type { FindingKind } from "../recommend/catalogue.js";
import type { Store } from "../track/store.js";

export interface Finding {
  readonly kind: FindingKind;
  readonly text: string;
}

const VERDICT_TO_FINDING: Readonly<Record<string, FindingKind | undefined>> = {
  high_avoidable_bias: "avoidable_bias",
  high_variance: "variance",
  data_mismatch: "data_mismatch",
  little_room: "little_room",
};

/**
 * The findings for a finished run. The diagnosis runs without its cross-validated curves (the
 * loop's screening measures what they would suggest); if it fails, the run's own train and dev
 * errors give the bias/variance reading.
 */
export async function readFindings(store: Store, runId: string, baseDir: string): Promise<Finding[]> {
  try {
    const { diagnosis: d } = await diagnoseRun(store, runId, { noCv: true, baseDir });
    const out: Finding[] = [];
    for (const kind of d.verdict.kinds) {
      const f = VERDICT_TO_FINDING[kind];
      if (f !== undefined) out.push({ kind: f, text: d.verdict.text });
    }
    const tags = (d.errorAnalysis?.tags ?? []).filter((t) => t.errors > 0).slice(0, 3);
    if (tags.length > 0) {
      out.push({
        kind: "error_tags",
        text: `dev errors concentrate in ${tags.map((t) => `${t.tag} (${(t.share * 100).toFixed(0)}%)`).join(", ")}`,
      });
    }
    const th = d.threshold;
    if (th !== null) {
      const best = th.points.reduce((m, p) => Math.max(m, p.f1), 0);
      const current = d.devMetric ?? 0;
      if (best - current > 0.01) {
        out.push({
          kind: "threshold",
          text: `a threshold chosen for F1 would gain ${(best - current).toFixed(3)} on dev`,
        });
      }
    }
    return out;
  } catch {
    return findingsFromErrors(store, runId);
  }
}

/** Bias and variance from the run's recorded train and dev error rates (Ng's rule of thumb). */
async function findingsFromErrors(store: Store, runId: string): Promise<Finding[]> {
  const rows = await store.getMetrics(runId as never, { name: "error_rate" });
  const at = (split: string): number | undefined => rows.find((r) => r.split === split && r.step === 0)?.value;
  const train = at("train");
  const dev = at("dev");
  if (train === undefined || dev === undefined) return [];
  const out: Finding[] = [];
  if (dev - train > Math.max(0.01, train))
    out.push({ kind: "variance", text: `dev error ${dev.toFixed(3)} well above train ${train.toFixed(3)}` });
  if (train > 0.02) out.push({ kind: "avoidable_bias", text: `train error ${train.toFixed(3)}` });
  return out;
}
