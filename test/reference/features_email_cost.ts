/**
 * What each feature family costs on the whole SpamAssassin corpus, the way the loop uses it: fit on
 * the baseline's train split, then transform all 6,046 messages. Each family in a fresh featurizer,
 * `reps` times, median reported (the first rep of spelling includes loading the dictionary).
 *
 *   npx tsx test/reference/features_email_cost.ts [reps=3]
 */
import { loadDataset } from "../../src/data/load.js";
import { splitDataset } from "../../src/data/split.js";
import { fitFeatures } from "../../src/features/pipeline.js";
import { dataSchema, featuresSchema } from "../../src/spec/schema.js";
import { deriveSeed } from "../../src/util/random.js";

const reps = Number(process.argv[2] ?? 3);
const data = dataSchema.parse({ source: "spamassassin" });
const ds = await loadDataset(data, { baseDir: ".", seed: deriveSeed(0, "data") });
const split = splitDataset(ds, data.split, deriveSeed(0, "split"));
const train = ds.examples.filter((_, i) => split.assignment[i] === 0);
const families: Record<string, unknown> = {
  words: { fields: ["subject", "body"], min_df: 2, sublinear_tf: true },
  routing: {},
  urls: {},
  spelling: {},
  html: {},
  headers: {},
  "words (rich)": {
    fields: ["subject", "body"],
    min_df: 2,
    sublinear_tf: true,
    normalize_tokens: ["urls", "emails", "numbers"],
    stem: true,
    stop_words: "english",
  },
  "words (char 3-5)": { fields: ["subject", "body"], min_df: 2, sublinear_tf: true, char_ngrams: [3, 5] },
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`train ${train.length}, all ${ds.examples.length}, reps ${reps}`);
console.log("family             features   fit ms  transform ms  total ms (median)");
for (const [label, params] of Object.entries(families)) {
  const key = label.split(" ")[0]!;
  const fit: number[] = [];
  const transform: number[] = [];
  let n = 0;
  for (let r = 0; r < reps; r++) {
    const f = fitFeatures(featuresSchema.parse({ [key]: params }), train);
    f.transform(ds.examples);
    fit.push(f.families[0]!.fitMs);
    transform.push(f.families[0]!.transformMs);
    n = f.families[0]!.nFeatures;
  }
  const total = fit.map((v, i) => v + transform[i]!);
  console.log(
    `${label.padEnd(18)} ${String(n).padStart(8)} ${median(fit).toFixed(0).padStart(8)} ${median(transform).toFixed(0).padStart(13)} ${median(total).toFixed(0).padStart(9)}`,
  );
}
