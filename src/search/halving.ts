/**
 * Successive halving (Jamieson & Talwalkar, 2016; the rung scheme of Hyperband): evaluate every
 * candidate cheaply, keep the best 1/eta, evaluate the survivors with more resource (more folds,
 * more rows), and so on. The evaluation is given whole rungs at a time so that it can hand them to
 * an Executor in one batch.
 */
export interface HalvingRung<R> {
  /** What this rung spends per candidate (e.g. { folds: 3, rows: 0.5 }). */
  readonly resource: R;
}

export interface HalvingOptions<C, R> {
  readonly rungs: readonly R[];
  /** Keep ceil(n / eta) candidates after each rung but the last (default 3). */
  readonly eta?: number;
  /** Never keep fewer than this many (default 1). */
  readonly minKeep?: number;
  /**
   * Diversity: survivors of a rung include at most `perGroup` candidates of one group (e.g.
   * compounds grown from the same first move), as long as other groups can fill the places.
   */
  readonly group?: (candidate: C) => string;
  readonly perGroup?: number;
  /**
   * Classes whose best candidate always survives a rung, beyond the `keep` places: models whose
   * ranking flips with more resource (naive Bayes leads a linear SVM on a third of the rows and
   * trails it on all of them — Ng & Jordan, NIPS 2001) each reach the last rung.
   */
  readonly keepBestOf?: (candidate: C) => string;
  /** Scores of `candidates` at one rung, in order; higher is better. */
  evaluate(candidates: readonly C[], resource: R, rung: number): Promise<number[]>;
}

export interface HalvingEntry<C> {
  readonly candidate: C;
  /** Score at the last rung the candidate reached. */
  readonly score: number;
  /** Index of that rung. */
  readonly rung: number;
}

/** All candidates, ranked: those that reached later rungs first, then by score. */
export async function successiveHalving<C, R>(
  candidates: readonly C[],
  opts: HalvingOptions<C, R>,
): Promise<HalvingEntry<C>[]> {
  const eta = opts.eta ?? 3;
  const minKeep = opts.minKeep ?? 1;
  if (!(eta > 1)) throw new Error(`successive halving: eta must exceed 1 (is ${eta})`);
  const reached = new Map<C, HalvingEntry<C>>();
  let alive = candidates.slice();
  for (let r = 0; r < opts.rungs.length && alive.length > 0; r++) {
    const scores = await opts.evaluate(alive, opts.rungs[r]!, r);
    const scored = alive.map((c, i) => ({ candidate: c, score: scores[i]!, rung: r }));
    for (const e of scored) reached.set(e.candidate, e);
    scored.sort((a, b) => b.score - a.score || 0);
    if (r < opts.rungs.length - 1) {
      const keep = Math.max(minKeep, Math.ceil(scored.length / eta));
      const finite = scored.filter((e) => Number.isFinite(e.score)).map((e) => e.candidate);
      const kept = survivors(finite, keep, opts.group, opts.perGroup);
      if (opts.keepBestOf !== undefined) {
        const classes = new Set(kept.map(opts.keepBestOf));
        for (const c of finite) {
          const k = opts.keepBestOf(c);
          if (!classes.has(k)) {
            classes.add(k);
            kept.push(c);
          }
        }
      }
      alive = kept;
    }
  }
  return [...reached.values()].sort((a, b) => b.rung - a.rung || b.score - a.score);
}

/** The best `keep` (already ranked), at most `perGroup` per group unless too few groups remain. */
function survivors<C>(ranked: readonly C[], keep: number, group?: (c: C) => string, perGroup?: number): C[] {
  if (group === undefined || perGroup === undefined) return ranked.slice(0, keep);
  const taken: C[] = [];
  const overflow: C[] = [];
  const count = new Map<string, number>();
  for (const c of ranked) {
    const g = group(c);
    const n = count.get(g) ?? 0;
    if (n < perGroup && taken.length < keep) {
      taken.push(c);
      count.set(g, n + 1);
    } else overflow.push(c);
  }
  // too few groups to fill the places: the best of the rest, in rank order
  const chosen = new Set(taken.concat(overflow.slice(0, keep - taken.length)));
  return ranked.filter((c) => chosen.has(c));
}
