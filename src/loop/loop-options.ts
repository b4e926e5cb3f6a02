/** Parsing the loop's command-line limits: the target (`f1>=0.97`), the time (`10m`), the budget. */
import { UsageError } from "../errors.js";
import type { LoopTarget } from "./loop.js";

/** Metrics a run records per split, by name (binary and multiclass). */
export const TARGET_METRICS = [
  "f1",
  "accuracy",
  "error_rate",
  "precision",
  "recall",
  "roc_auc",
  "average_precision",
  "log_loss",
  "brier",
  "macro_f1",
  "micro_f1",
  "weighted_f1",
  "macro_precision",
  "macro_recall",
  "roc_auc_ovr",
] as const;

export function parseTarget(text: string): LoopTarget {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$/.exec(text);
  if (m === null) {
    throw new UsageError(
      `--target ${JSON.stringify(text)}: expected METRIC OP VALUE, e.g. 'f1>=0.97' (OP is >=, >, <= or <)`,
    );
  }
  const metric = m[1]!;
  if (!(TARGET_METRICS as readonly string[]).includes(metric)) {
    throw new UsageError(
      `--target ${JSON.stringify(text)}: unknown metric "${metric}" (allowed: ${TARGET_METRICS.join(", ")})`,
    );
  }
  return { metric, op: m[2] as LoopTarget["op"], value: Number(m[3]) };
}

export function parseBudget(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `--budget ${JSON.stringify(text)}: expected a whole number of full runs, at least 1 (the baseline counts as one)`,
    );
  }
  return n;
}

/** `90s`, `10m`, `1.5h` or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (m === null || !(Number(m[1]) > 0)) {
    throw new UsageError(`--time ${JSON.stringify(text)}: expected a positive duration such as 90s, 10m or 1h`);
  }
  const unit = m[2] ?? "s";
  const scale = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  return Number(m[1]) * scale;
}

export function parseWorkers(text: string): number {
  if (!/^\s*\d+\s*$/.test(text))
    throw new UsageError(`--workers ${JSON.stringify(text)}: expected a whole number (0 runs screening inline)`);
  return Number(text);
}
