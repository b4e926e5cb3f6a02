/**
 * The players of an attribution: the SpecPatch from run A to run B split into changes a person
 * would name. A whole feature family is one player (features.urls with all its parameters), each
 * model hyperparameter is one (model.C, model.max_iter), a changed model family is one (model),
 * data.split and evaluate.threshold / evaluate.costs are one each. Keys that cannot change any
 * prediction (notes, experiment, the primary metric, the equivalence band, the baseline error) are
 * not players. `groups` overrides: each group of key prefixes becomes one player.
 */
import { CompareError } from "../errors.js";
import { formatPatch, formatPath, type SpecPatch, type SpecPatchOp } from "../spec/patch.js";

export interface Player {
  readonly name: string;
  readonly ops: SpecPatch;
}

/** Keys whose change cannot move a metric: not players. */
export const NON_OUTCOME_KEYS: readonly string[] = [
  "notes",
  "experiment",
  "evaluate.primary_metric",
  "evaluate.equivalence_band",
  "evaluate.baseline_error",
];

/** The default player an op belongs to. */
export function defaultPlayerKey(path: readonly string[]): string {
  const [head, second] = path;
  if (head === undefined) return "spec";
  if (second === undefined) return head;
  if (head === "features") return `features.${second}`;
  if (head === "data" && second === "split") return "data.split";
  if (head === "evaluate" && (second === "threshold" || second === "costs")) return `evaluate.${second}`;
  return `${head}.${second}`;
}

function under(path: readonly string[], key: string): boolean {
  const p = formatPath(path);
  return p === key || p.startsWith(`${key}.`);
}

export function groupPlayers(
  patch: SpecPatch,
  groups: readonly (readonly string[])[] = [],
): { players: Player[]; ignored: SpecPatch } {
  const ignored: SpecPatchOp[] = [];
  const outcome: SpecPatchOp[] = [];
  for (const op of patch) (NON_OUTCOME_KEYS.some((k) => under(op.path, k)) ? ignored : outcome).push(op);
  const byName = new Map<string, SpecPatchOp[]>();
  const claimed = new Set<SpecPatchOp>();
  for (const group of groups) {
    const ops = outcome.filter((op) => !claimed.has(op) && group.some((key) => under(op.path, key)));
    for (const key of group) {
      if (!outcome.some((op) => under(op.path, key) || key.startsWith(`${formatPath(op.path)}.`))) {
        const changed = outcome.map((op) => formatPath(op.path)).join(", ") || "none";
        throw new CompareError(
          `--group ${group.join(",")}: no changed key is "${key}" or under it (changed keys: ${changed})`,
        );
      }
    }
    ops.forEach((op) => claimed.add(op));
    if (ops.length > 0) byName.set(group.join("+"), ops);
  }
  for (const op of outcome) {
    if (claimed.has(op)) continue;
    const key = defaultPlayerKey(op.path);
    const list = byName.get(key) ?? [];
    list.push(op);
    byName.set(key, list);
  }
  const players = [...byName.entries()].map(([name, ops]) => ({ name, ops }));
  return { players, ignored };
}

/** "model.C: 0.1 → 10; features.urls: + {…}" */
export function describePlayer(player: Player): string {
  return formatPatch(player.ops)
    .map((l) => l.trim())
    .join("; ");
}
