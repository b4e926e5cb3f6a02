/**
 * Per-example flips between a baseline run A and a candidate B: examples B fixes (A wrong, B right)
 * and breaks (A right, B wrong), and how the net change in correct decisions splits over slices
 * (true label, and the example's group: the id's prefix before "/", e.g. spamassassin's
 * "spam-2"), and each manual example tag. A slice's net flips over all shared examples is its part of the accuracy delta, so
 * the slices of one kind sum to the whole delta.
 */
import type { AlignedSplit } from "./aligned.js";

export interface Flip {
  readonly exampleId: string;
  readonly label: string;
  readonly group: string | null;
  readonly kind: "fixed" | "broken";
  readonly scoreA: number;
  readonly scoreB: number;
  /** Manual example tags (mlloop tag …) on this example. */
  readonly tags: readonly string[];
  /** A short, inert preview of the example's text when the source allows it (e.g. the subject). */
  preview?: string;
}

export interface SliceShare {
  /** Kinds of slice; tag slices overlap (an example may carry several tags). */
  readonly by: "label" | "group" | "tag";
  readonly slice: string;
  readonly n: number;
  readonly fixed: number;
  readonly broken: number;
  /** (fixed − broken) / all shared examples: this slice's part of the accuracy delta. */
  readonly accuracyDelta: number;
  /** (fixed − broken) / total net flips (NaN when the net is 0). */
  readonly share: number;
}

export interface FlipSummary {
  readonly fixed: number;
  readonly broken: number;
  /** The flips, biggest score movement first, at most `limit` of each kind. */
  readonly examples: Flip[];
  readonly slices: readonly SliceShare[];
}

const SLICE_ORDER: Readonly<Record<SliceShare["by"], number>> = { label: 0, group: 1, tag: 2 };

export function exampleGroup(id: string): string | null {
  const slash = id.indexOf("/");
  return slash > 0 ? id.slice(0, slash) : null;
}

export function flipsBetween(
  aligned: AlignedSplit,
  a: number,
  b: number,
  limit = 10,
  tagsOf: ReadonlyMap<string, readonly string[]> = new Map(),
): FlipSummary {
  const n = aligned.ids.length;
  const ca = aligned.correct[a]!;
  const cb = aligned.correct[b]!;
  const sa = aligned.scores[a]!;
  const sb = aligned.scores[b]!;
  const fixed: Flip[] = [];
  const broken: Flip[] = [];
  const slices = new Map<string, { by: SliceShare["by"]; slice: string; n: number; fixed: number; broken: number }>();
  const bump = (by: SliceShare["by"], slice: string, kind: "fixed" | "broken" | null): void => {
    const key = `${by}\u0000${slice}`;
    let s = slices.get(key);
    if (s === undefined) slices.set(key, (s = { by, slice, n: 0, fixed: 0, broken: 0 }));
    s.n++;
    if (kind !== null) s[kind]++;
  };
  for (let i = 0; i < n; i++) {
    const id = aligned.ids[i]!;
    const label = aligned.labels[i]!;
    const group = exampleGroup(id);
    const kind = ca[i] === cb[i] ? null : cb[i] === 1 ? "fixed" : "broken";
    bump("label", label, kind);
    if (group !== null) bump("group", group, kind);
    const tags = tagsOf.get(id) ?? [];
    for (const tag of tags) bump("tag", tag, kind);
    if (kind !== null) {
      (kind === "fixed" ? fixed : broken).push({
        exampleId: id,
        label,
        group,
        kind,
        scoreA: sa[i]!,
        scoreB: sb[i]!,
        tags,
      });
    }
  }
  const net = fixed.length - broken.length;
  const moved = (f: Flip): number => -Math.abs(f.scoreB - f.scoreA) || 0;
  const pick = (list: Flip[]): Flip[] =>
    list.sort((x, y) => moved(x) - moved(y) || (x.exampleId < y.exampleId ? -1 : 1)).slice(0, limit);
  return {
    fixed: fixed.length,
    broken: broken.length,
    examples: [...pick(fixed), ...pick(broken)],
    slices: [...slices.values()]
      .map((s) => ({
        ...s,
        accuracyDelta: (s.fixed - s.broken) / n,
        share: net === 0 ? NaN : (s.fixed - s.broken) / net,
      }))
      .sort((x, y) => (x.by === y.by ? (x.slice < y.slice ? -1 : 1) : SLICE_ORDER[x.by] - SLICE_ORDER[y.by])),
  };
}
