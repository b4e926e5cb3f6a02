/**
 * Likely label errors by confident learning (Northcutt, Jiang & Chuang, JAIR 2021; cleanlab's
 * `find_label_issues(filter_by="prune_by_noise_rate")`), on out-of-sample probabilities:
 *
 * 1. per-class thresholds t_j = mean p̂(j) over the examples labelled j;
 * 2. confident joint C[i][j]: an example labelled i counts for the class j with the highest p̂ among
 *    those with p̂(j) ≥ t_j;
 * 3. calibrated so that each row sums to the number of examples labelled i;
 * 4. for each off-diagonal cell, the round(C[i][j]) examples labelled i with the largest margin
 *    p̂(j) − p̂(i) are issues; an example whose argmax is its given label is never one.
 *
 * Issues are ranked by self-confidence p̂(given label), lowest first.
 */

export interface LabelIssue {
  readonly index: number;
  readonly given: number;
  /** The class the model believes in (argmax). */
  readonly suggested: number;
  readonly selfConfidence: number;
}

export interface LabelIssueResult {
  readonly thresholds: readonly number[];
  /** Calibrated confident joint, rows = given label, columns = likely true label. */
  readonly confidentJoint: ReadonlyArray<readonly number[]>;
  /** Estimated number of label errors (sum of the off-diagonal calibrated joint). */
  readonly estimatedErrors: number;
  readonly issues: readonly LabelIssue[];
}

export function findLabelIssues(labels: Int32Array, proba: Float64Array, nClasses: number): LabelIssueResult {
  const n = labels.length;
  const k = nClasses;
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    counts[y]!++;
    for (let j = 0; j < k; j++) if (j === y) sums[j]! += proba[i * k + j]!;
  }
  const t = Array.from(sums, (s, j) => (counts[j]! > 0 ? s / counts[j]! : Infinity));
  const joint = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < k; j++) {
      // cleanlab subtracts a tiny epsilon so that p̂ exactly at the threshold counts
      const p = proba[i * k + j]!;
      if (p >= t[j]! - 1e-6 && (best < 0 || p > proba[i * k + best]!)) best = j;
    }
    if (best >= 0) joint[labels[i]!]![best]!++;
  }
  const calibrated = joint.map((row, i) => {
    const s = row.reduce((a, b) => a + b, 0);
    return Array.from(row, (v) => (s > 0 ? (v / s) * counts[i]! : 0));
  });
  const issue = new Uint8Array(n);
  for (let gi = 0; gi < k; gi++) {
    for (let tj = 0; tj < k; tj++) {
      if (gi === tj) continue;
      const num = Math.round(calibrated[gi]![tj]!);
      if (num <= 0) continue;
      const cands: Array<{ i: number; margin: number }> = [];
      for (let i = 0; i < n; i++) {
        if (labels[i] !== gi) continue;
        cands.push({ i, margin: proba[i * k + tj]! - proba[i * k + gi]! });
      }
      cands.sort((a, b) => b.margin - a.margin || a.i - b.i);
      for (const c of cands.slice(0, num)) issue[c.i] = 1;
    }
  }
  const issues: LabelIssue[] = [];
  for (let i = 0; i < n; i++) {
    if (!issue[i]) continue;
    let arg = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j]! > proba[i * k + arg]!) arg = j;
    if (arg === labels[i]) continue;
    issues.push({ index: i, given: labels[i]!, suggested: arg, selfConfidence: proba[i * k + labels[i]!]! });
  }
  issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.index - b.index);
  let estimatedErrors = 0;
  calibrated.forEach((row, i) => row.forEach((v, j) => i !== j && (estimatedErrors += v)));
  return { thresholds: t, confidentJoint: calibrated, estimatedErrors, issues };
}
