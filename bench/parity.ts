/**
 * `npx tsx bench/parity.ts` (part of `npm run bench`): the mlloop vs scikit-learn quality table on
 * the same split, live against Debian's python3-sklearn, and the parity bar (issue #2): test F1 and
 * accuracy within one point of scikit-learn for logistic regression and naive Bayes, F1 > 0.94.
 * Exits 1 when the bar is missed. It lives here, not in `npm test`, because `npm test` must not
 * need Python (issue #12); the tests use committed reference fixtures instead.
 */
import { runParity } from "./parity-lib.js";

const rows = await runParity();
const f = (v: number | undefined): string => (v === undefined ? "—" : v.toFixed(4));
console.log("| model | side | features | accuracy | F1 | ROC-AUC |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.model} | mlloop | ${r.mlloop["features"]} | ${f(r.mlloop["accuracy"])} | ${f(r.mlloop["f1"])} | ${f(r.mlloop["roc_auc"])} |`,
  );
  console.log(
    `| | scikit-learn | ${r.sklearn["features"]} | ${f(r.sklearn["accuracy"])} | ${f(r.sklearn["f1"])} | ${f(r.sklearn["roc_auc"])} |`,
  );
}
console.log(`\ntrain ${rows[0]?.nTrain} / test ${rows[0]?.nTest} messages, the same examples on both sides`);

const missed: string[] = [];
for (const r of rows) {
  for (const m of ["f1", "accuracy"]) {
    const gap = Math.abs(r.mlloop[m]! - r.sklearn[m]!);
    if (!(gap <= 0.01)) missed.push(`${r.model}: ${m} differs by ${gap.toFixed(4)} (> 0.01)`);
  }
  if (!(r.mlloop["f1"]! > 0.94)) missed.push(`${r.model}: mlloop F1 ${f(r.mlloop["f1"])} is not above 0.94`);
}
if (rows.length !== 2) missed.push(`expected 2 models, got ${rows.length}`);
if (missed.length > 0) {
  console.error(`parity bar missed:\n  ${missed.join("\n  ")}`);
  process.exitCode = 1;
} else console.log("parity bar met: F1 and accuracy within 1 point of scikit-learn for both models");
