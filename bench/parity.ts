/** `npx tsx bench/parity.ts`: print the mlloop vs scikit-learn quality table on the same split. */
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
