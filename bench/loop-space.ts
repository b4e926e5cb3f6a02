/**
 * The search space random search (c) and Optuna TPE (d) explore in `npm run bench:loop`: the moves of
 * mlloop's catalogue for the demo spec (text fields, word weighting and n-grams, each email feature
 * family on or off, the model family and its regularisation on a log scale, class weights), as one
 * src/search Space. A point becomes `--set` overrides of examples/spam/demo-baseline.yaml.
 */
import { choice, logUniform, type Point, type Space } from "../src/search/space.js";

export const LOOP_SPACE: Space = {
  fields: choice([["subject"], ["subject", "body"], ["subject", "body", "from", "to"]]),
  weighting: choice(["counts", "tfidf_sublinear", "binary"]),
  ngram_range: choice([
    [1, 1],
    [1, 2],
  ]),
  routing: choice([false, true]),
  urls: choice([false, true]),
  spelling: choice([false, true]),
  html: choice([false, true]),
  headers: choice([false, true]),
  family: choice(["naive_bayes", "logistic_regression", "linear_svm", "sgd"]),
  C: logUniform(0.01, 1000),
  nb_alpha: logUniform(0.01, 1),
  sgd_alpha: logUniform(1e-5, 1e-3),
  class_weight: choice(["none", "balanced"]),
};

/** Categorical values may arrive as indices (from Optuna); resolve them. */
export function resolvePoint(p: Point, fromIndices: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(LOOP_SPACE)) {
    const v = p[name];
    out[name] = d.kind === "categorical" && fromIndices ? d.values[v as number] : v;
  }
  return out;
}

const sig = (v: number): number => Number(v.toPrecision(4));

export function overridesOf(q: Record<string, unknown>): string[] {
  const sets = [`features.words.fields=${JSON.stringify(q.fields)}`];
  if (q.weighting === "tfidf_sublinear")
    sets.push("features.words.weighting=tfidf", "features.words.sublinear_tf=true");
  else sets.push(`features.words.weighting=${String(q.weighting)}`);
  sets.push(`features.words.ngram_range=${JSON.stringify(q.ngram_range)}`);
  for (const fam of ["routing", "urls", "spelling", "html", "headers"])
    if (q[fam] === true) sets.push(`features.${fam}={}`);
  const cw = q.class_weight === "balanced" ? ", class_weight: balanced" : "";
  switch (q.family) {
    case "naive_bayes":
      sets.push(`model={family: naive_bayes, alpha: ${sig(q.nb_alpha as number)}}`);
      break;
    case "sgd":
      sets.push(`model={family: sgd, loss: modified_huber, alpha: ${sig(q.sgd_alpha as number)}${cw}}`);
      break;
    default:
      sets.push(`model={family: ${String(q.family)}, C: ${sig(q.C as number)}${cw}}`);
  }
  return sets;
}
