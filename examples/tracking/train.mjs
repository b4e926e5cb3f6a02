// Your own training code, tracked by mlloop: a softmax regression written by hand (no mlloop
// model) on the wine data, trained by gradient descent. mlloop records its params, its loss per
// epoch and its dev predictions, so that `mlloop runs`, `show --metric loss`, `compare` and `log`
// treat it like a spec run.
//
//   node examples/tracking/train.mjs --lr 0.1 --epochs 60
//   node examples/tracking/train.mjs --lr 0.5 --parent auto
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openStore, startRun } from "mlloop";

const { values: args } = parseArgs({
  options: {
    lr: { type: "string", default: "0.1" },
    epochs: { type: "string", default: "60" },
    seed: { type: "string", default: "0" },
    parent: { type: "string" },
    store: { type: "string" },
  },
});
const lr = Number(args.lr);
const epochs = Number(args.epochs);
const seed = Number(args.seed);

// ── data: wine.csv, a seeded 70/30 train/dev split, standardised on train ──────────────────────
const [header, ...lines] = readFileSync(new URL("../wine/wine.csv", import.meta.url), "utf8")
  .trim()
  .split("\n");
const columns = header.split(",");
const rows = lines.map((line) => {
  const cells = line.split(",");
  return { id: cells[0], x: cells.slice(1, -1).map(Number), label: cells[columns.length - 1] };
});
const classes = [...new Set(rows.map((r) => r.label))].sort();
let state = seed + 1;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
const shuffled = rows
  .map((r) => ({ r, k: random() }))
  .sort((a, b) => a.k - b.k)
  .map((e) => e.r);
const cut = Math.round(shuffled.length * 0.7);
const train = shuffled.slice(0, cut);
const dev = shuffled.slice(cut);
const d = train[0].x.length;
const mean = Array.from({ length: d }, (_, j) => train.reduce((a, r) => a + r.x[j], 0) / train.length);
const std = Array.from(
  { length: d },
  (_, j) => Math.sqrt(train.reduce((a, r) => a + (r.x[j] - mean[j]) ** 2, 0) / train.length) || 1,
);
const features = (r) => r.x.map((v, j) => (v - mean[j]) / std[j]);

// ── model: softmax regression ────────────────────────────────────────────────────────────────────
const k = classes.length;
const W = Array.from({ length: k }, () => new Array(d + 1).fill(0));
function predict(x) {
  const z = W.map((w) => w[d] + x.reduce((a, v, j) => a + v * w[j], 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const loss = (set) =>
  set.reduce((a, r) => a - Math.log(Math.max(1e-15, predict(features(r))[classes.indexOf(r.label)])), 0) / set.length;

const store = await openStore(args.store);
const run = await startRun(store, {
  experiment: "wine-own-code",
  params: { lr, epochs, seed, model: "softmax regression" },
  classes, // declared once; without it mlloop infers them from the logged labels
  parent: args.parent,
  notes: "hand-written softmax regression",
});
for (let epoch = 0; epoch < epochs; epoch++) {
  const grad = W.map(() => new Array(d + 1).fill(0));
  for (const r of train) {
    const x = features(r);
    const p = predict(x);
    for (let c = 0; c < k; c++) {
      const g = p[c] - (classes[c] === r.label ? 1 : 0);
      for (let j = 0; j < d; j++) grad[c][j] += g * x[j];
      grad[c][d] += g;
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j <= d; j++) W[c][j] -= (lr * grad[c][j]) / train.length;
  await run.logMetrics({ loss: loss(train) }, { split: "train", step: epoch });
  await run.logMetrics({ loss: loss(dev) }, { split: "dev", step: epoch });
}
await run.logPredictions(
  dev.map((r) => {
    const p = predict(features(r));
    return {
      exampleId: r.id,
      split: "dev",
      label: r.label,
      scores: Object.fromEntries(classes.map((c, i) => [c, p[i]])),
      decision: classes[p.indexOf(Math.max(...p))],
    };
  }),
);
console.log(`run ${run.id}: lr ${lr}, dev loss ${loss(dev).toFixed(4)}`);
// No `await run.end()` needed: when the script ends the run is closed as finished (or as failed
// with the error on an uncaught exception or a signal). Calling it is still fine.
