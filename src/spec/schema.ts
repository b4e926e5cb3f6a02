/**
 * The experiment spec: the whole architecture decision in one validated object. Every object is
 * strict (an unknown key is an error with a suggestion), every field has a sensible default, and
 * variants are discriminated unions (data.source, model.family, evaluate.threshold.policy).
 *
 * Feature and model family parameters live here too, so that the spec — the first stage of the
 * dataflow — depends on nothing downstream; families import their parameter types from here.
 */
import { z } from "zod";

const fraction = z.number().min(0).max(1);
const nonEmptyString = z.string().min(1);

// ── data ─────────────────────────────────────────────────────────────────────────────────────────

export const SPAMASSASSIN_GROUPS = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"] as const;

export const splitSchema = z
  .strictObject({
    /** stratified: random by fraction, stratified by label; column: by a column's value; group: by source group */
    method: z.enum(["stratified", "column", "group"]).default("stratified"),
    train: fraction.default(0.6),
    dev: fraction.default(0.2),
    test: fraction.default(0.2),
    /** column method: the column whose values name the split (values "train"/"dev"/"test" unless mapped) */
    column: nonEmptyString.optional(),
    /** group method (and column method): which groups/values go to each split */
    groups: z
      .strictObject({
        train: z.array(nonEmptyString).default([]),
        dev: z.array(nonEmptyString).default([]),
        test: z.array(nonEmptyString).default([]),
      })
      .optional(),
    /**
     * Exact duplicates (normalised body/text): keep_one_side keeps all copies on the split of the
     * first one (no leakage), drop keeps one copy only, keep leaves them where they fall.
     */
    duplicates: z.enum(["keep_one_side", "drop", "keep"]).default("keep_one_side"),
    /**
     * Train on at most this many of the training split's examples (a seeded, stratified sample);
     * dev and test are unchanged, so runs that differ only here stay comparable example by example
     * ("more data" experiments, quick runs).
     */
    train_limit: z.number().int().positive().optional(),
  })
  .default({ method: "stratified", train: 0.6, dev: 0.2, test: 0.2, duplicates: "keep_one_side" });

const tabularColumns = {
  id: nonEmptyString.optional(),
  label: nonEmptyString,
  text: z.array(nonEmptyString).default([]),
  numeric: z.array(nonEmptyString).default([]),
  categorical: z.array(nonEmptyString).default([]),
  group: nonEmptyString.optional(),
};

const maxRecordBytes = z
  .number()
  .int()
  .min(1024)
  .max(2 ** 31 - 1)
  .optional();

export const dataSchema = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("spamassassin"),
    groups: z
      .array(z.enum(SPAMASSASSIN_GROUPS))
      .min(1)
      .default([...SPAMASSASSIN_GROUPS]),
    /** Use only the first `limit` messages after a seeded shuffle (quick runs, learning curves). */
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("csv"),
    path: nonEmptyString,
    delimiter: z.string().length(1).default(","),
    columns: z.strictObject(tabularColumns),
    on_bad_row: z.enum(["error", "skip"]).default("error"),
    limit: z.number().int().positive().optional(),
    /** The longest record (CSV row, JSON line) read, in bytes; default 64 MiB (a file without newlines must not fill memory). */
    max_record_bytes: maxRecordBytes,
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("jsonl"),
    path: nonEmptyString,
    columns: z.strictObject(tabularColumns),
    on_bad_row: z.enum(["error", "skip"]).default("error"),
    limit: z.number().int().positive().optional(),
    /** The longest record (CSV row, JSON line) read, in bytes; default 64 MiB (a file without newlines must not fill memory). */
    max_record_bytes: maxRecordBytes,
    split: splitSchema,
  }),
  z.strictObject({
    source: z.literal("eml"),
    /** A folder with one sub-folder per label (e.g. ham/, spam/), each holding .eml files. */
    path: nonEmptyString,
    limit: z.number().int().positive().optional(),
    split: splitSchema,
  }),
]);

// ── features ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Bounds on n-gram lengths: each longer n adds about one new, almost never repeated feature per
 * token (word [1, 6] on the spam corpus: 3.3 M features, 2.2 GB of memory, 209 MB of artifacts a run).
 */
const MAX_WORD_NGRAM = 5;
const MAX_CHAR_NGRAM = 10;
const NGRAM_BOUND = `at most ${MAX_WORD_NGRAM}: longer word n-grams almost never repeat, each one only adds features`;
const CHAR_BOUND = `at most ${MAX_CHAR_NGRAM}: longer character n-grams are nearly whole words`;

export const wordsParamsSchema = z
  .strictObject({
    /** Text fields to read (email sources: subject, body, from, to, headers, raw; csv/jsonl: declared text columns). */
    fields: z.array(nonEmptyString).min(1).default(["subject", "body"]),
    /** Keep each field's tokens apart (prefix "subject:") or pool them into one vocabulary (fields joined by "\n"). */
    separate_fields: z.boolean().default(false),
    lowercase: z.boolean().default(true),
    /** [min_n, max_n] word n-grams. */
    ngram_range: z
      .tuple([
        z.number().int().min(1).max(MAX_WORD_NGRAM, NGRAM_BOUND),
        z.number().int().min(1).max(MAX_WORD_NGRAM, NGRAM_BOUND),
      ])
      .refine(([lo, hi]) => lo <= hi, { message: "min_n must not exceed max_n (e.g. [1, 2])" })
      .default([1, 1]),
    /**
     * Minimum document frequency: a fraction of training documents if < 1, else a whole count
     * (so 1 means one document, as scikit-learn's default min_df=1).
     */
    min_df: z
      .number()
      .positive()
      .refine((v) => v < 1 || Number.isInteger(v), { message: "use a fraction below 1 or a whole document count" })
      .default(1),
    /**
     * Maximum document frequency: a fraction of training documents if <= 1 (so 1 means all of them,
     * as scikit-learn's default max_df=1.0), else a whole count.
     */
    max_df: z
      .number()
      .positive()
      .refine((v) => v <= 1 || Number.isInteger(v), { message: "use a fraction up to 1 or a whole document count" })
      .default(1.0),
    /** Keep only the terms most frequent in the training corpus (ties broken as scikit-learn does). */
    max_features: z.number().int().positive().nullable().default(null),
    weighting: z.enum(["tfidf", "counts", "binary"]).default("tfidf"),
    /** tfidf only: replace tf with 1 + ln(tf). */
    sublinear_tf: z.boolean().default(false),
    /** tfidf only: L2-normalise each row (scikit-learn's norm="l2"). */
    normalize: z.boolean().default(true),
    // Optional rewrites (src/features/words-preprocess.ts). No defaults on purpose: absent means
    // off, and specs written before they existed keep their canonical form and hash.
    /** Drop scikit-learn's English stop words (before word n-grams are formed, as CountVectorizer does). */
    stop_words: z.enum(["english"]).nullable().optional(),
    /** Replace each word by its Porter stem. */
    stem: z.boolean().optional(),
    /** Replace URLs, mail addresses and/or numbers by one token each (__url__, __email__, __number__). */
    normalize_tokens: z.array(z.enum(["urls", "emails", "numbers"])).optional(),
    /** Character n-grams of each word, [min_n, max_n] with min_n >= 2, instead of the words themselves. */
    char_ngrams: z
      .tuple([
        z.number().int().min(2).max(MAX_CHAR_NGRAM, CHAR_BOUND),
        z.number().int().min(2).max(MAX_CHAR_NGRAM, CHAR_BOUND),
      ])
      .refine(([lo, hi]) => lo <= hi, { message: "min_n must not exceed max_n (e.g. [3, 5])" })
      .nullable()
      .optional(),
    /**
     * Absent or "vocabulary": learn the terms from train. "hashing": hash each term into n_features
     * columns (scikit-learn's HashingVectorizer: signed MurmurHash3 of the UTF-8 term) for
     * vocabularies too large to hold; collisions share a column and no term is unknown at transform
     * time. min_df, max_df and max_features need a vocabulary and do not apply.
     */
    vectorizer: z.enum(["vocabulary", "hashing"]).optional(),
    /** hashing only: number of columns (default 2^18). */
    n_features: z
      .number()
      .int()
      .min(1)
      .max(2 ** 24)
      .optional(),
    /** hashing only: add each term with the sign of its hash so that collisions tend to cancel (default true, as scikit-learn). */
    alternate_sign: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.vectorizer === "hashing") {
      const needVocabulary: Array<[string, boolean]> = [
        ["min_df", p.min_df !== 1],
        ["max_df", p.max_df !== 1],
        ["max_features", p.max_features !== null],
      ];
      for (const [key, set] of needVocabulary) {
        if (!set) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} needs a learned vocabulary; it does not apply to vectorizer "hashing" (remove it, or use vectorizer "vocabulary")`,
        });
      }
    } else {
      for (const key of ["n_features", "alternate_sign"] as const) {
        if (p[key] === undefined) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} applies to vectorizer "hashing" only (vectorizer is "${p.vectorizer ?? "vocabulary"}")`,
        });
      }
    }
    if (p.char_ngrams != null && (p.ngram_range[0] !== 1 || p.ngram_range[1] !== 1)) {
      ctx.addIssue({
        code: "custom",
        path: ["char_ngrams"],
        message: `char_ngrams replaces words by character n-grams; word ngram_range must stay [1, 1] (is [${p.ngram_range.join(", ")}])`,
      });
    }
    if (p.sublinear_tf && p.weighting !== "tfidf") {
      ctx.addIssue({
        code: "custom",
        path: ["sublinear_tf"],
        message: `sublinear_tf applies to weighting "tfidf" only (weighting is "${p.weighting}")`,
      });
    }
  });
export type WordsParams = z.infer<typeof wordsParamsSchema>;

export const numericParamsSchema = z.strictObject({
  columns: z.array(nonEmptyString).min(1),
  /** What to do with a missing value: fill with the train mean/median/zero and add a "<col>:missing" indicator, or fail. */
  missing: z.enum(["mean", "median", "zero", "error"]).default("mean"),
  standardize: z.boolean().default(true),
});
export type NumericParams = z.infer<typeof numericParamsSchema>;

export const categoricalParamsSchema = z.strictObject({
  columns: z.array(nonEmptyString).min(1),
  /** Categories seen fewer times than this in train fall into "<col>=__other__". */
  min_count: z.number().int().min(1).default(1),
});
export type CategoricalParams = z.infer<typeof categoricalParamsSchema>;

// ── the email families (routing, urls, spelling, html, headers) ──────────────────────────────────────

/** How a signal column is scaled: by its largest absolute value on train (MaxAbsScaler), or not at all. */
const signalScale = z.enum(["maxabs", "none"]).default("maxabs");
const ascendingHours = z
  .array(z.number().positive())
  .min(1)
  .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), { message: "list the band edges in increasing order" });

/** Free-mail providers (registrable domains), as SpamAssassin's 20_freemail.cf lists them, abridged. */
export const DEFAULT_FREEMAIL_DOMAINS = [
  "aol.com",
  "bigfoot.com",
  "btinternet.com",
  "caramail.com",
  "email.com",
  "excite.com",
  "fastmail.fm",
  "gmail.com",
  "gmx.de",
  "gmx.net",
  "hotmail.co.uk",
  "hotmail.com",
  "hushmail.com",
  "icloud.com",
  "juno.com",
  "live.com",
  "lycos.com",
  "mail.com",
  "mail.ru",
  "msn.com",
  "netscape.net",
  "netzero.net",
  "outlook.com",
  "protonmail.com",
  "rediffmail.com",
  "usa.net",
  "web.de",
  "yahoo.co.uk",
  "yahoo.com",
  "yandex.ru",
];

export const routingParamsSchema = z.strictObject({
  freemail_domains: z.array(nonEmptyString).default(DEFAULT_FREEMAIL_DOMAINS),
  /** Date-vs-first-Received skew bands in hours: [3, 24, 96] → 3–24 h, 24–96 h, > 96 h, in the past and the future. */
  date_skew_hours: ascendingHours.default([3, 24, 96]),
  scale: signalScale,
});
export type RoutingParams = z.infer<typeof routingParamsSchema>;

/** URL shortening services (SpamAssassin's 25_url_shortener.cf, abridged, plus the 2002-era ones). */
export const DEFAULT_URL_SHORTENERS = [
  "bit.ly",
  "buff.ly",
  "cutt.ly",
  "goo.gl",
  "is.gd",
  "makeashorterlink.com",
  "ow.ly",
  "rebrand.ly",
  "shorturl.at",
  "snipurl.com",
  "t.co",
  "tiny.cc",
  "tinyurl.com",
  "v.gd",
];

/**
 * Top-level domains to flag. There is no canonical list: this default mixes the TLDs Spamhaus
 * reports as most abused today with the new TLDs of the corpus's time (biz, info) that spam
 * adopted first. Replace it for your own mail.
 */
export const DEFAULT_SUSPICIOUS_TLDS = [
  "biz",
  "buzz",
  "cf",
  "click",
  "ga",
  "gq",
  "info",
  "link",
  "loan",
  "ml",
  "tk",
  "top",
  "work",
  "xyz",
];

/** Brands phishers imitate, as they appear in domain names. */
export const DEFAULT_PHISHING_BRANDS = [
  "amazon",
  "apple",
  "bankofamerica",
  "barclays",
  "chase",
  "citibank",
  "ebay",
  "google",
  "hsbc",
  "microsoft",
  "paypal",
  "visa",
  "wellsfargo",
  "yahoo",
];

export const urlsParamsSchema = z.strictObject({
  shorteners: z.array(nonEmptyString).default(DEFAULT_URL_SHORTENERS),
  suspicious_tlds: z.array(nonEmptyString).default(DEFAULT_SUSPICIOUS_TLDS),
  brands: z.array(nonEmptyString).default(DEFAULT_PHISHING_BRANDS),
  /** URL length band edges (Mohammad et al.: < 54 legitimate, 54–75 suspicious, > 75 phishing). */
  length_bands: z
    .tuple([z.number().int().positive(), z.number().int().positive()])
    .refine(([a, b]) => a < b, { message: "the first edge must be below the second (e.g. [54, 75])" })
    .default([54, 75]),
  /** Also one column per registrable link domain seen in at least this many training messages (0 = off). */
  domain_min_df: z.number().int().min(0).default(0),
  scale: signalScale,
});
export type UrlsParams = z.infer<typeof urlsParamsSchema>;

/** Words spammers disguise ("V1agra", "m0rtgage", "fr33"), after SpamAssassin's 25_replace.cf FUZZY_* rules. */
export const DEFAULT_WATCH_WORDS = [
  "cash",
  "cheap",
  "cialis",
  "credit",
  "free",
  "guarantee",
  "investment",
  "loan",
  "medication",
  "million",
  "money",
  "mortgage",
  "offer",
  "pharmacy",
  "porn",
  "prescription",
  "refinance",
  "remove",
  "rolex",
  "sex",
  "valium",
  "viagra",
  "xanax",
];

export const spellingParamsSchema = z.strictObject({
  /** Text fields to read (email sources: subject and body; any data with text columns works too). */
  fields: z.array(nonEmptyString).min(1).default(["subject", "body"]),
  /** Words that count when spelled with look-alike characters, digits or junk between the letters. */
  watch_words: z
    .array(z.string().regex(/^[a-z]{3,}$/, { message: "watch words are lower-case letters a–z, 3 or more" }))
    .default(DEFAULT_WATCH_WORDS),
  /** One column per watch word ("spelling:fuzzy:viagra") besides the total. */
  per_word: z.boolean().default(true),
  /** Words shorter than this are not checked against the dictionary. */
  min_word_length: z.number().int().min(1).default(3),
  /** Only the first this many words of a message are spell-checked (cost bound on huge messages). */
  max_words: z.number().int().positive().default(3000),
  scale: signalScale,
});
export type SpellingParams = z.infer<typeof spellingParamsSchema>;

export const htmlParamsSchema = z.strictObject({
  /** Font sizes below this (px or pt; <font size> 1 counts as 10 px) are "tiny". */
  tiny_font_px: z.number().positive().default(4),
  /** Text colour this close to the background (largest RGB channel difference, 0–255) is low-contrast. */
  low_contrast: z.number().int().min(0).max(255).default(32),
  scale: signalScale,
});
export type HtmlParams = z.infer<typeof htmlParamsSchema>;

export const headersParamsSchema = z.strictObject({
  /** Subject words as "headers:subject:<word>" (apart from the body's words). */
  subject: z.boolean().default(true),
  /** "headers:from_domain=<domain>" and "headers:reply_to_domain=<domain>" (registrable domains). */
  domains: z.boolean().default(true),
  /** "headers:content_type=<type>" (top-level), "headers:charset=<charset>". */
  content_type: z.boolean().default(true),
  /** "headers:mailer=<name>" from X-Mailer / User-Agent, versions dropped. */
  mailer: z.boolean().default(true),
  /**
   * "headers:has=<header name>" for every header present. Off by default: in a donated corpus many
   * header names record how each folder was collected (which filters and fetchers it went
   * through), not what the sender did, so they leak the label.
   */
  header_names: z.boolean().default(false),
  /** Keep a token seen in at least this many training messages. */
  min_df: z.number().int().min(1).default(2),
  weighting: z.enum(["binary", "counts"]).default("binary"),
});
export type HeadersParams = z.infer<typeof headersParamsSchema>;

export const featuresSchema = z
  .strictObject({
    words: wordsParamsSchema.optional(),
    numeric: numericParamsSchema.optional(),
    categorical: categoricalParamsSchema.optional(),
    routing: routingParamsSchema.optional(),
    urls: urlsParamsSchema.optional(),
    spelling: spellingParamsSchema.optional(),
    html: htmlParamsSchema.optional(),
    headers: headersParamsSchema.optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), {
    message:
      "at least one feature family is required (allowed: words, numeric, categorical, routing, urls, spelling, html, headers)",
  });
export type FeaturesSpec = z.infer<typeof featuresSchema>;
export const FEATURE_FAMILIES = [
  "words",
  "numeric",
  "categorical",
  "routing",
  "urls",
  "spelling",
  "html",
  "headers",
] as const;

export { modelSchema, type ModelSpec } from "./models.js";
import { modelSchema } from "./models.js";
export { diagnoseSchema, tagRuleSchema, type DiagnoseSpec, type TagRuleSpec } from "./diagnose.js";
import { diagnoseSchema } from "./diagnose.js";

// ── evaluate ─────────────────────────────────────────────────────────────────────────────────────

export const thresholdSchema = z
  .discriminatedUnion("policy", [
    z.strictObject({ policy: z.literal("fixed"), value: fraction.default(0.5) }),
    z.strictObject({ policy: z.literal("max_f1") }),
    z.strictObject({ policy: z.literal("min_cost") }),
    /**
     * The most recall whose precision is at least min_precision ("flag as much spam as possible
     * while at most 1 % of what is flagged is ham"); chosen where the other policies are (dev, else
     * train). When no threshold reaches the floor, nothing is predicted positive and the run says so.
     */
    z.strictObject({ policy: z.literal("max_recall_at_precision"), min_precision: fraction }),
  ])
  .default({ policy: "fixed", value: 0.5 });

export const evaluateSchema = z
  .strictObject({
    /** The label value treated as positive for binary metrics (e.g. "spam"). Required for binary data unless the labels are 0/1 or false/true. */
    positive_class: z.string().optional(),
    /** Human-level / target error, the reference point for avoidable bias. */
    baseline_error: fraction.optional(),
    /** Cost of each kind of error, for min_cost thresholds and cost reports. */
    costs: z
      .strictObject({ fp: z.number().min(0).default(1), fn: z.number().min(0).default(1) })
      .default({ fp: 1, fn: 1 }),
    threshold: thresholdSchema,
    /** Practical-equivalence band for comparisons, in metric units (e.g. 0.005 = half a point). */
    equivalence_band: z.number().min(0).default(0.005),
    /** Metric that ranks runs and drives comparisons. */
    primary_metric: z.enum(["f1", "accuracy", "roc_auc", "average_precision", "log_loss", "macro_f1"]).default("f1"),
    /**
     * Evaluate by stratified k-fold cross-validation over train + dev pooled (for small data, where
     * a dev split would be tiny): the out-of-fold predictions are the run's dev split. Absent: the
     * dev split (and the spec hash is unchanged).
     */
    cross_validate: z.number().int().min(2).max(100).optional(),
  })
  .default({
    costs: { fp: 1, fn: 1 },
    threshold: { policy: "fixed", value: 0.5 },
    equivalence_band: 0.005,
    primary_metric: "f1",
  });

// ── the spec ─────────────────────────────────────────────────────────────────────────────────────

export const specSchema = z.strictObject({
  experiment: nonEmptyString.default("default"),
  notes: z.string().optional(),
  seed: z.number().int().min(0).default(0),
  data: dataSchema,
  features: featuresSchema,
  model: modelSchema,
  evaluate: evaluateSchema,
  /** Error-analysis rules and diagnosis defaults (optional: absent, the spec hash is unchanged). */
  diagnose: diagnoseSchema.optional(),
  /** Resource guards (optional: absent, the defaults apply and the spec hash is unchanged). */
  limits: z
    .strictObject({
      /** Columns one feature family may learn (default 1,000,000); beyond, the run stops and says which family. */
      features_per_family: z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1)
        .optional(),
    })
    .optional(),
});

export type Spec = z.infer<typeof specSchema>;
export type SpecInput = z.input<typeof specSchema>;
export type DataSpec = z.infer<typeof dataSchema>;
export type SplitSpec = z.infer<typeof splitSchema>;
export type EvaluateSpec = z.infer<typeof evaluateSchema>;
