/**
 * The words family's optional text rewrites, applied to each field after lower-casing and before
 * the scanner reads it (so the scanner, its vocabulary and its n-grams work unchanged):
 *
 *   normalize_tokens  URLs, mail addresses and numbers become one token each ("__url__", "__email__",
 *                  "__number__"): which site or which price matters less than that there is one
 *   stop_words     scikit-learn's English list is dropped after tokenising, as CountVectorizer does
 *                  (so word n-grams span a dropped word, as there)
 *   stem           each word becomes its Porter stem ("offers", "offered", "offering" → "offer")
 *   char_ngrams    each word becomes its character n-grams, with "_" marking the word's edges
 *                  ("free" → "_fr", "fre", "ree", "ee_" for [3, 3]); like scikit-learn's char_wb,
 *                  but over the token rule's words, so punctuation is not part of an n-gram
 *
 * With none of them set, the words family reads the text exactly as before.
 */
import { stemmer } from "stemmer";
import type { WordsParams } from "../spec/schema.js";
import { forEachToken } from "./word-chars.js";

/** scikit-learn's ENGLISH_STOP_WORDS (sklearn.feature_extraction.text, 1.2.1: 318 words). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above across after afterwards again against all almost alone along already also although always am " +
    "among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back " +
    "be became because become becomes becoming been before beforehand behind being below beside besides between " +
    "beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do done down " +
    "due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone everything " +
    "everywhere except few fifteen fifty fill find fire first five for former formerly forty found four from front " +
    "full further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself him " +
    "himself his how however hundred i ie if in inc indeed interest into is it its itself keep last latter latterly " +
    "least less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my myself " +
    "name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off often " +
    "on once one only onto or other others otherwise our ours ourselves out over own part per perhaps please put " +
    "rather re same see seem seemed seeming seems serious several she should show side since sincere six sixty so " +
    "some somehow someone something sometime sometimes somewhere still such system take ten than that the their " +
    "them themselves then thence there thereafter thereby therefore therein thereupon these they thick thin third " +
    "this those though three through throughout thru thus to together too top toward towards twelve twenty two un " +
    "under until up upon us very via was we well were what whatever when whence whenever where whereafter whereas " +
    "whereby wherein whereupon wherever whether which while whither who whoever whole whom whose why will with " +
    "within without would yet you your yours yourself yourselves"
  ).split(" "),
);

const URL = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"']+/gi;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** A number standing alone ("2002", "19.99", "1,000"), not digits inside a word ("mp3", "x86"). */
const NUMBER = /(?<![\p{L}\p{N}_])\d+(?:[.,]\d+)*(?![\p{L}\p{N}_])/gu;

/** Calls `fn` on each token (a run of 2+ word characters) and puts its result in the token's place. */
export function mapTokens(text: string, fn: (token: string) => string): string {
  let out = "";
  let last = 0;
  forEachToken(text, (start, end) => {
    out += text.slice(last, start) + fn(text.slice(start, end));
    last = end;
  });
  return last === 0 ? text : out + text.slice(last);
}

/** "free" → "_fr fre ree ee_" for [3, 3]: every n-gram of "_" + word + "_", n from lo to hi. */
export function charNgrams(word: string, lo: number, hi: number): string {
  const w = [...("_" + word + "_")];
  const grams: string[] = [];
  for (let n = lo; n <= hi; n++) {
    // a word shorter than n gives its whole padded form once (scikit-learn's char_wb does the same)
    if (w.length <= n) {
      grams.push(w.join(""));
      break;
    }
    for (let k = 0; k + n <= w.length; k++) grams.push(w.slice(k, k + n).join(""));
  }
  return grams.join(" ");
}

/** The rewrite for these params, or null when the text is read as it is. */
export function wordsPreprocessor(params: WordsParams): ((text: string) => string) | null {
  const normalize = new Set(params.normalize_tokens ?? []);
  const stop = params.stop_words === "english" ? ENGLISH_STOP_WORDS : null;
  const stem = params.stem === true;
  const chars = params.char_ngrams ?? null;
  if (normalize.size === 0 && stop === null && !stem && chars === null) return null;
  const perToken = stop !== null || stem || chars !== null;
  const stems = new Map<string, string>();
  const token = (t: string): string => {
    if (stop !== null && stop.has(t)) return " ";
    let out = t;
    if (stem) {
      let s = stems.get(t);
      if (s === undefined) {
        s = stemmer(t);
        if (stems.size > 200_000) stems.clear();
        stems.set(t, s);
      }
      // a stem of one character would not be a token any more: keep the word
      out = s.length >= 2 ? s : t;
    }
    return chars === null ? out : charNgrams(out, chars[0], chars[1]);
  };
  return (text) => {
    let t = text;
    // addresses before URLs ("www.x.com" inside "bob@www.x.com"), both before numbers
    if (normalize.has("emails")) t = t.replace(EMAIL, " __email__ ");
    if (normalize.has("urls")) t = t.replace(URL, " __url__ ");
    if (normalize.has("numbers")) t = t.replace(NUMBER, " __number__ ");
    return perToken ? mapTokens(t, token) : t;
  };
}
