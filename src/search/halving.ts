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
      alive = scored
        .slice(0, keep)
        .filter((e) => Number.isFinite(e.score))
        .map((e) => e.candidate);
    }
  }
  return [...reached.values()].sort((a, b) => b.rung - a.rung || b.score - a.score);
}
