/**
 * The catalogue of spec moves: every change the loop may screen, derived from the spec schema (the
 * model families and their knobs, the feature families and their parameters, the threshold
 * policies) and from the data (text fields present but unused, a training limit that leaves data
 * unread). Each move is a SpecPatch that `mlloop run --apply` can execute; moves that touch
 * different keys ("slots") can be combined into compound moves by screening.
 *
 * Continuous knobs are offered as short log grids around the current value rather than one jump to
 * the end of a range; screening, not this file, decides which point wins.
 */
import { logGrid } from "../search/grid.js";
import { modelSchema, type ModelSpec } from "../spec/models.js";
import { formatPatch, type SpecPatch, type SpecPatchOp } from "../spec/patch.js";
import type { Spec } from "../spec/schema.js";

/** What a diagnosis found, by type (the loop's diagnosis adapter produces these). */
export type FindingKind = "avoidable_bias" | "variance" | "data_mismatch" | "error_tags" | "threshold" | "little_room";

export type MoveGroup =
  "text-field" | "words" | "feature-family" | "model" | "class-weight" | "calibration" | "threshold" | "data";

/** Where the loop sets a threshold: on out-of-fold training scores, by one of these goals. */
export type ThresholdGoal =
  | { readonly goal: "max_f1" }
  | { readonly goal: "min_cost" }
  | { readonly goal: "max_recall_at_precision"; readonly minPrecision: number };

export interface Move {
  /** Stable identifier ("words.fields+body", "model=linear_svm(C=10)"). */
  readonly id: string;
  readonly title: string;
  readonly group: MoveGroup;
  /** The key this move owns; two moves with the same slot are never combined. */
  readonly slot: string;
  /** Relative to the incumbent's resolved spec (a threshold move's value is filled in by screening). */
  readonly patch: SpecPatch;
  /** The findings this move answers, most direct first. */
  readonly answers: readonly FindingKind[];
  /** True when the features change (screening must featurise again). */
  readonly changesFeatures: boolean;
  /** Threshold moves: the goal the fixed threshold is chosen for (on out-of-fold training scores). */
  readonly threshold?: ThresholdGoal;
  /** What else the patch does ("drops model.alpha, a naive_bayes key"). */
  readonly note?: string;
  /** Fit cost grows with the number of columns (trees, neural nets): screened on narrow features only. */
  readonly wideCost?: boolean;
}

export interface CatalogueData {
  /** Text fields the data offers (email: subject, body, from, to, …; csv/jsonl: declared text columns). */
  readonly textFields: readonly string[];
  readonly numericColumns: readonly string[];
  readonly categoricalColumns: readonly string[];
  readonly nClasses: number;
  /** True for email sources (spamassassin, eml): the email feature families apply. */
  readonly email: boolean;
}

/**
 * Email text fields never offered as a move: "headers" and "raw" carry how each folder of a donated
 * corpus was collected (relays, filters), which leaks the label rather than describing the message.
 */
const LEAKY_EMAIL_FIELDS = new Set(["headers", "raw"]);
const EMAIL_FAMILIES = ["routing", "urls", "spelling", "html", "headers"] as const;

function set(path: string, value: unknown, from?: unknown): SpecPatchOp {
  return from === undefined
    ? { op: "set", path: path.split("."), value }
    : { op: "set", path: path.split("."), value, from };
}

function show(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The keys a model family's schema has (family included). */
function familyKeys(family: string): string[] {
  const variant = modelSchema.options.find((o) => o.shape.family.values.has(family as never));
  return variant === undefined ? [] : Object.keys(variant.shape);
}

/** The keys of `from` that the other family's schema does not have: the switch drops them. */
function droppedKeys(from: ModelSpec, toFamily: string): string[] {
  const keep = familyKeys(toFamily);
  return Object.keys(from).filter((k) => !keep.includes(k));
}

/** Settings that mean the same in every family and are kept across a switch when not the default. */
const CARRIED_MODEL_KEYS = ["class_weight", "calibration", "label_issues"] as const;

/** A model spec of `family` with only the given knobs (defaults fill the rest when the spec is parsed). */
function modelMove(
  current: ModelSpec,
  model: Record<string, unknown> & { family: string },
  answers: FindingKind[],
): Move {
  const knobs = Object.entries(model)
    .filter(([k]) => k !== "family")
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(", ");
  const label = `${model.family}${knobs ? `(${knobs})` : ""}`;
  const sameFamily = current.family === model.family;
  if (sameFamily) {
    const ops = Object.entries(model)
      .filter(([k]) => k !== "family")
      .map(([k, v]) => set(`model.${k}`, v, (current as Record<string, unknown>)[k]));
    return {
      id: `model=${label}`,
      title: `model ${knobs}`,
      group: "model",
      slot: "model",
      patch: ops,
      answers,
      changesFeatures: false,
    };
  }
  const dropped = droppedKeys(current, model.family);
  const targetKeys = familyKeys(model.family);
  const carried = CARRIED_MODEL_KEYS.filter((k) => {
    const v = (current as Record<string, unknown>)[k];
    return targetKeys.includes(k) && !(k in model) && v !== undefined && v !== null && v !== "none" && v !== "keep";
  });
  const value = { ...model, ...Object.fromEntries(carried.map((k) => [k, (current as Record<string, unknown>)[k]])) };
  const notes = [
    dropped.length > 0 ? `drops ${dropped.map((k) => `model.${k}`).join(", ")} (not ${model.family} keys)` : "",
    carried.length > 0 ? `keeps ${carried.map((k) => `model.${k}`).join(", ")}` : "",
  ].filter((n) => n !== "");
  return {
    id: `model=${label}`,
    title: `switch the model to ${label}`,
    group: "model",
    slot: "model",
    // the whole object is replaced: the other family's keys are dropped (and the note says which)
    patch: [{ op: "set", path: ["model"], value, from: current }],
    answers,
    changesFeatures: false,
    note: notes.length > 0 ? notes.join("; ") : undefined,
  };
}

/** v·10^k for k = ±1 … ±decades, within [lo, hi], rounded like logGrid (stable spec hashes). */
function aroundDecades(v: number, decades: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = -decades; k <= decades; k++) {
    const x = Number((v * 10 ** k).toPrecision(12));
    if (k !== 0 && x >= lo && x <= hi) out.push(x);
  }
  return out;
}

function modelMoves(spec: Spec, data: CatalogueData): Move[] {
  const m = spec.model;
  const out: Move[] = [];
  const bias: FindingKind[] = ["avoidable_bias", "error_tags"];
  const variance: FindingKind[] = ["variance"];
  const cur = m as Record<string, unknown>;
  const around = (v: number, lo: number, hi: number): number[] =>
    logGrid(lo, hi, Math.round(Math.log10(hi / lo)) + 1).filter((x) => Math.abs(Math.log10(x / v)) > 1e-9);
  const byC = (family: "logistic_regression" | "linear_svm", lo: number, hi: number): void => {
    // one point per decade: a short log grid, not a jump to the end of the range; for the current
    // family also the decades around the current value, so that an over- or under-regularised
    // incumbent (C = 1e-4, or C = 100 on noisy labels) has a step each way
    const grid = logGrid(lo, hi, Math.round(Math.log10(hi / lo)) + 1);
    if (m.family === family && typeof cur.C === "number") grid.push(...aroundDecades(cur.C, 2, 1e-4, 1e4));
    for (const C of [...new Set(grid)].sort((a, b) => a - b)) {
      if (m.family === family && cur.C === C) continue;
      const answers = m.family === family && typeof cur.C === "number" && C < cur.C ? variance : bias;
      out.push(modelMove(m, { family, C }, answers));
    }
  };
  // wide enough for both ends seen in practice: many binary features want C near 0.01, few
  // weighted ones want C near 1000
  byC("logistic_regression", 0.1, 1000);
  byC("linear_svm", 0.01, 100);
  for (const alpha of [0.01, 0.1, 1]) {
    for (const variant of ["multinomial", "complement"]) {
      if (m.family === "naive_bayes" && cur.alpha === alpha && cur.variant === variant) continue;
      out.push(modelMove(m, { family: "naive_bayes", variant, alpha }, alpha < 1 ? bias : variance));
    }
  }
  for (const alpha of [1e-5, 1e-4, 1e-3]) {
    if (m.family === "sgd" && cur.alpha === alpha) continue;
    out.push(modelMove(m, { family: "sgd", loss: "modified_huber", alpha }, alpha < 1e-4 ? bias : variance));
  }
  if (m.family !== "gradient_boosting") {
    out.push({
      ...modelMove(m, { family: "gradient_boosting", learning_rate: 0.1, max_iter: 100 }, bias),
      wideCost: true,
    });
  }
  if (m.family !== "mlp")
    out.push({ ...modelMove(m, { family: "mlp", hidden_layer_sizes: [64], max_iter: 30 }, bias), wideCost: true });
  // Gaussian naive Bayes models continuous columns; on word counts alone it only wastes a screening
  // slot, so it is offered when the spec reads numeric columns (or already uses it)
  const numericInUse = (spec.features.numeric?.columns.length ?? 0) > 0;
  if (m.family !== "gaussian_nb" && numericInUse) out.push(modelMove(m, { family: "gaussian_nb" }, bias));
  if (m.family === "gaussian_nb") {
    // var_smoothing is a share of the largest variance: the decades from 1e-11 to 1e-1 span "no
    // smoothing" to "every feature nearly equally wide" (sklearn's default 1e-9 sits low in it)
    for (const vs of around(m.var_smoothing, 1e-11, 1e-1))
      out.push(modelMove(m, { family: m.family, var_smoothing: vs }, vs > m.var_smoothing ? variance : bias));
  }
  // the current family's other knobs
  if (m.family === "logistic_regression" && m.penalty === "l2") {
    out.push(modelMove(m, { family: m.family, penalty: "elasticnet", l1_ratio: 0.5 }, variance));
  }
  if (m.family === "mlp") {
    for (const alpha of around(m.alpha || 1e-4, 1e-5, 1e-2)) out.push(modelMove(m, { family: "mlp", alpha }, variance));
  }
  if (m.family === "gradient_boosting") {
    for (const lr of [0.05, 0.2])
      if (lr !== m.learning_rate) out.push(modelMove(m, { family: m.family, learning_rate: lr }, bias));
    if (m.max_leaf_nodes !== 63) out.push(modelMove(m, { family: m.family, max_leaf_nodes: 63 }, bias));
  }
  void data;
  return out;
}

function wordsMoves(spec: Spec, data: CatalogueData): Move[] {
  const w = spec.features.words;
  const out: Move[] = [];
  const offered = data.textFields.filter((f) => !(data.email && LEAKY_EMAIL_FIELDS.has(f)));
  if (w === undefined) {
    if (offered.length === 0) return out;
    out.push({
      id: "features.words+on",
      title: `add word features from ${offered.join(", ")}`,
      group: "feature-family",
      slot: "features.words",
      patch: [set("features.words", { fields: offered, weighting: "tfidf", sublinear_tf: true, min_df: 2 })],
      answers: ["avoidable_bias", "error_tags"],
      changesFeatures: true,
    });
    return out;
  }
  for (const f of offered) {
    if (w.fields.includes(f)) continue;
    out.push({
      id: `words.fields+${f}`,
      title: `use the unused text field "${f}"`,
      group: "text-field",
      slot: "features.words.fields",
      patch: [set("features.words.fields", [...w.fields, f], w.fields)],
      answers: ["avoidable_bias", "error_tags"],
      changesFeatures: true,
    });
  }
  return [...out, ...wordKnobMoves(w)];
}

const wordsMove = (
  id: string,
  title: string,
  ops: SpecPatchOp[],
  answers: FindingKind[],
  slot = `features.words.${id}`,
): Move => ({
  id: `words.${id}`,
  title,
  group: "words",
  slot,
  patch: ops,
  answers,
  changesFeatures: true,
});

/** Weighting, n-grams, document-frequency cut-offs, stop words and stemming of the words family. */
function wordKnobMoves(w: NonNullable<Spec["features"]["words"]>): Move[] {
  const out: Move[] = [];
  const weightingSlot = "features.words.weighting";
  if (w.weighting !== "tfidf" || !w.sublinear_tf) {
    const ops = [set("features.words.weighting", "tfidf", w.weighting === "tfidf" ? undefined : w.weighting)];
    if (!w.sublinear_tf) ops.push(set("features.words.sublinear_tf", true, false));
    out.push(
      wordsMove(
        "tfidf-sublinear",
        "weight words by sublinear TF-IDF",
        w.weighting === "tfidf" ? ops.slice(1) : ops,
        ["avoidable_bias"],
        weightingSlot,
      ),
    );
  }
  if (w.weighting !== "binary") {
    out.push(
      wordsMove(
        "binary",
        "weight words by presence (binary)",
        [
          set("features.words.weighting", "binary", w.weighting),
          ...(w.sublinear_tf ? [set("features.words.sublinear_tf", false, true)] : []),
        ],
        ["variance"],
        weightingSlot,
      ),
    );
  }
  if (w.char_ngrams == null && w.ngram_range[1] < 2) {
    out.push(
      wordsMove(
        "bigrams",
        "add word bigrams (ngram_range [1, 2])",
        [set("features.words.ngram_range", [1, 2], w.ngram_range)],
        ["avoidable_bias", "error_tags"],
      ),
    );
  }
  return [...out, ...pruningMoves(w)];
}

/** Document-frequency cut-offs, stop words and stemming. */
function pruningMoves(w: NonNullable<Spec["features"]["words"]>): Move[] {
  const out: Move[] = [];
  if (w.vectorizer !== "hashing") {
    for (const min_df of [2, 5]) {
      if (w.min_df === min_df) continue;
      out.push(
        wordsMove(
          `min_df=${min_df}`,
          `drop words seen in fewer than ${min_df} training documents`,
          [set("features.words.min_df", min_df, w.min_df)],
          ["variance"],
          "features.words.min_df",
        ),
      );
    }
    if (w.max_df === 1) {
      out.push(
        wordsMove(
          "max_df=0.5",
          "drop words in more than half the training documents",
          [set("features.words.max_df", 0.5, w.max_df)],
          ["variance"],
        ),
      );
    }
  }
  if (w.stop_words == null && w.char_ngrams == null) {
    out.push(
      wordsMove("stop_words", "drop English stop words", [set("features.words.stop_words", "english")], ["variance"]),
    );
  }
  if (w.stem !== true && w.char_ngrams == null) {
    out.push(wordsMove("stem", "stem words (Porter)", [set("features.words.stem", true)], ["variance"]));
  }
  return out;
}

function familyMoves(spec: Spec, data: CatalogueData): Move[] {
  const out: Move[] = [];
  const f = spec.features as Record<string, unknown>;
  const on = Object.keys(f).filter((k) => f[k] !== undefined);
  if (data.email) {
    for (const fam of EMAIL_FAMILIES) {
      if (f[fam] !== undefined) continue;
      out.push({
        id: `features.${fam}+on`,
        title: `add the ${fam} features`,
        group: "feature-family",
        slot: `features.${fam}`,
        patch: [set(`features.${fam}`, {})],
        answers: ["error_tags", "avoidable_bias"],
        changesFeatures: true,
      });
    }
  }
  const unusedNumeric = data.numericColumns.filter((c) => !(spec.features.numeric?.columns ?? []).includes(c));
  if (unusedNumeric.length > 0) {
    const cols = [...(spec.features.numeric?.columns ?? []), ...unusedNumeric];
    out.push({
      id: "features.numeric+columns",
      title: `use the numeric columns ${unusedNumeric.join(", ")}`,
      group: "feature-family",
      slot: "features.numeric",
      patch: [
        set(
          spec.features.numeric ? "features.numeric.columns" : "features.numeric",
          spec.features.numeric ? cols : { columns: cols },
        ),
      ],
      answers: ["avoidable_bias"],
      changesFeatures: true,
    });
  }
  const unusedCategorical = data.categoricalColumns.filter(
    (c) => !(spec.features.categorical?.columns ?? []).includes(c),
  );
  if (unusedCategorical.length > 0) {
    const cols = [...(spec.features.categorical?.columns ?? []), ...unusedCategorical];
    out.push({
      id: "features.categorical+columns",
      title: `use the categorical columns ${unusedCategorical.join(", ")}`,
      group: "feature-family",
      slot: "features.categorical",
      patch: [
        set(
          spec.features.categorical ? "features.categorical.columns" : "features.categorical",
          spec.features.categorical ? cols : { columns: cols },
        ),
      ],
      answers: ["avoidable_bias"],
      changesFeatures: true,
    });
  }
  if (on.length > 1) {
    for (const fam of on) {
      out.push({
        id: `features.${fam}-off`,
        title: `drop the ${fam} features`,
        group: "feature-family",
        slot: `features.${fam}`,
        patch: [{ op: "remove", path: ["features", fam], from: f[fam] }],
        answers: ["variance"],
        changesFeatures: true,
      });
    }
  }
  return out;
}

function thresholdMoves(spec: Spec, data: CatalogueData): Move[] {
  if (data.nClasses !== 2) return [];
  const from = spec.evaluate.threshold;
  const mk = (goal: ThresholdGoal, title: string): Move => ({
    id: `threshold:${goal.goal}${goal.goal === "max_recall_at_precision" ? `@${goal.minPrecision}` : ""}`,
    title,
    group: "threshold",
    slot: "evaluate.threshold",
    patch: [{ op: "set", path: ["evaluate", "threshold"], value: { policy: "fixed", value: Number.NaN }, from }],
    answers: ["threshold", "data_mismatch"],
    changesFeatures: false,
    threshold: goal,
  });
  const out = [mk({ goal: "max_f1" }, "set the threshold for the best F1 (chosen on out-of-fold training scores)")];
  const { fp, fn } = spec.evaluate.costs;
  if (fp !== fn)
    out.push(
      mk(
        { goal: "min_cost" },
        `set the threshold for the lowest cost (fp ${fp}, fn ${fn}; on out-of-fold training scores)`,
      ),
    );
  // a precision floor is a policy in its own right, also when the costs are equal; the spec's own
  // floor when it has one
  const floor = from.policy === "max_recall_at_precision" ? from.min_precision : 0.99;
  out.push(
    mk(
      { goal: "max_recall_at_precision", minPrecision: floor },
      `set the threshold for the most recall at precision ≥ ${floor} (out-of-fold training scores)`,
    ),
  );
  return out;
}

function classWeightMoves(spec: Spec): Move[] {
  const m = spec.model as Record<string, unknown>;
  if (!("class_weight" in m) || m.class_weight === "balanced") return [];
  return [
    {
      id: "model.class_weight=balanced",
      title: "weight the classes by their inverse frequency",
      group: "class-weight",
      slot: "model.class_weight",
      patch: [set("model.class_weight", "balanced", m.class_weight)],
      answers: ["threshold", "error_tags"],
      changesFeatures: false,
    },
  ];
}

/**
 * Calibrated probabilities (model.calibration, cross-validated on the training rows): they move a
 * fixed threshold's decisions and the log loss. Five fits per fit: flagged wide-cost for the
 * families whose fit cost grows with the columns.
 */
function calibrationMoves(spec: Spec): Move[] {
  const current = spec.model.calibration ?? "none";
  const wide = spec.model.family === "gradient_boosting" || spec.model.family === "mlp";
  const methods = (["sigmoid", "isotonic", "none"] as const).filter((m) => m !== current);
  return methods.map((method): Move => ({
    id: `model.calibration=${method}`,
    title:
      method === "none"
        ? "use the model's own probabilities (no calibration)"
        : `calibrate the probabilities (${method}, 5-fold cross-validated on the training rows)`,
    group: "calibration",
    slot: "model.calibration",
    patch: [set("model.calibration", method, spec.model.calibration)],
    answers: method === "none" ? ["variance"] : ["threshold", "data_mismatch"],
    changesFeatures: false,
    ...(wide ? { wideCost: true } : {}),
  }));
}

/**
 * Leave likely label errors out of the fit (model.label_issues: drop — confident learning on
 * out-of-fold training probabilities). Label noise shows as variance: the model fits the noise.
 */
function labelIssueMoves(spec: Spec): Move[] {
  const current = spec.model.label_issues ?? "keep";
  const to = current === "drop" ? "keep" : "drop";
  return [
    {
      id: `model.label_issues=${to}`,
      title:
        to === "drop"
          ? "leave likely label errors out of training (confident learning on out-of-fold probabilities)"
          : "train on every row again (keep the likely label errors)",
      group: "data",
      slot: "model.label_issues",
      patch: [set("model.label_issues", to, spec.model.label_issues)],
      answers: to === "drop" ? ["variance", "error_tags"] : ["avoidable_bias"],
      changesFeatures: false,
      ...(spec.model.family === "gradient_boosting" || spec.model.family === "mlp" ? { wideCost: true } : {}),
    },
  ];
}

function dataMoves(spec: Spec): Move[] {
  const out: Move[] = [];
  const limit = spec.data.split.train_limit;
  if (limit !== undefined) {
    out.push({
      id: "data.train_limit-off",
      title: `train on the whole training split (train_limit ${limit} is set)`,
      group: "data",
      slot: "data.split.train_limit",
      patch: [{ op: "remove", path: ["data", "split", "train_limit"], from: limit }],
      answers: ["variance"],
      changesFeatures: true,
    });
  }
  if (spec.data.limit !== undefined) {
    out.push({
      id: "data.limit-off",
      title: `read all the data (data.limit ${spec.data.limit} is set)`,
      group: "data",
      slot: "data.limit",
      patch: [{ op: "remove", path: ["data", "limit"], from: spec.data.limit }],
      answers: ["variance"],
      changesFeatures: true,
    });
  }
  return out;
}

/** Every move the catalogue offers from `spec`, in a fixed order. */
export function buildCatalogue(spec: Spec, data: CatalogueData): Move[] {
  return [
    ...wordsMoves(spec, data),
    ...familyMoves(spec, data),
    ...modelMoves(spec, data),
    ...classWeightMoves(spec),
    ...calibrationMoves(spec),
    ...labelIssueMoves(spec),
    ...thresholdMoves(spec, data),
    ...dataMoves(spec),
  ];
}

/** Patch lines of a move, with what the patch drops. */
export function moveText(move: Move): string[] {
  const lines = formatPatch(move.patch);
  return move.note ? [...lines, `  (${move.note})`] : lines;
}
