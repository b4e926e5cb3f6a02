/**
 * Training dynamics: what the learner reported (extras.training: iterations, converged, warnings)
 * and its loss curve (metrics "loss" by step, train and dev), read for the findings that call for a
 * change: no convergence (more iterations, or a better-conditioned problem), a non-finite loss,
 * an unstable curve (the training objective rising between steps: lower the learning rate), and a
 * dev loss that turns up while training loss falls (stop earlier).
 */
import type { MetricRecord } from "../track/store.js";

export type DynamicsFindingKind =
  "not_converged" | "non_finite_loss" | "unstable" | "dev_loss_rising" | "learner_warning";

export interface DynamicsFinding {
  readonly kind: DynamicsFindingKind;
  readonly message: string;
}

export interface TrainingDynamics {
  readonly iterations: number | null;
  readonly converged: boolean | null;
  readonly finalLoss: number | null;
  readonly warnings: readonly string[];
  readonly trainLoss: ReadonlyArray<{ step: number; value: number }>;
  readonly devLoss: ReadonlyArray<{ step: number; value: number }>;
  readonly findings: readonly DynamicsFinding[];
}

export function readDynamics(training: unknown, metrics: readonly MetricRecord[]): TrainingDynamics {
  const t = (training ?? {}) as { iterations?: unknown; converged?: unknown; finalLoss?: unknown; warnings?: unknown };
  const iterations = typeof t.iterations === "number" ? t.iterations : null;
  const converged = typeof t.converged === "boolean" ? t.converged : null;
  const finalLoss = typeof t.finalLoss === "number" ? t.finalLoss : null;
  const warnings = Array.isArray(t.warnings) ? t.warnings.filter((w): w is string => typeof w === "string") : [];
  const curve = (split: string): Array<{ step: number; value: number }> =>
    metrics
      .filter((m) => m.name === "loss" && m.split === split)
      .sort((a, b) => a.step - b.step)
      .map((m) => ({ step: m.step, value: m.value }));
  const trainLoss = curve("train");
  const devLoss = curve("dev");
  const findings: DynamicsFinding[] = [];
  if (converged === false) {
    findings.push({
      kind: "not_converged",
      message: `the learner stopped after ${iterations ?? "?"} iterations without converging`,
    });
  }
  if (trainLoss.some((p) => !Number.isFinite(p.value)) || (finalLoss !== null && !Number.isFinite(finalLoss))) {
    findings.push({ kind: "non_finite_loss", message: "the training loss became NaN or infinite" });
  }
  let rises = 0;
  let worst = 0;
  for (let i = 1; i < trainLoss.length; i++) {
    const prev = trainLoss[i - 1]!.value;
    const cur = trainLoss[i]!.value;
    if (Number.isFinite(prev) && Number.isFinite(cur) && cur > prev * (1 + 1e-6)) {
      rises++;
      worst = Math.max(worst, (cur - prev) / Math.max(Math.abs(prev), 1e-12));
    }
  }
  if (trainLoss.length >= 4 && rises >= Math.max(2, Math.ceil(0.2 * (trainLoss.length - 1)))) {
    findings.push({
      kind: "unstable",
      message: `the training objective rose in ${rises} of ${trainLoss.length - 1} steps (largest rise ${(worst * 100).toFixed(1)}%)`,
    });
  }
  if (devLoss.length >= 4) {
    let best = 0;
    for (let i = 1; i < devLoss.length; i++) if (devLoss[i]!.value < devLoss[best]!.value) best = i;
    const last = devLoss[devLoss.length - 1]!;
    const min = devLoss[best]!;
    if (best < devLoss.length - 1 && last.value > min.value * 1.02) {
      findings.push({
        kind: "dev_loss_rising",
        message: `dev loss was lowest at step ${min.step} (${min.value.toPrecision(4)}) and rose to ${last.value.toPrecision(4)} by step ${last.step}: training ran past its best point`,
      });
    }
  }
  for (const w of warnings) {
    if (!/converge/i.test(w) || converged !== false) findings.push({ kind: "learner_warning", message: w });
  }
  return { iterations, converged, finalLoss, warnings, trainLoss, devLoss, findings };
}
