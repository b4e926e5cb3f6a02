/**
 * The spelling family (email.spelling): misspelling and obfuscation. Spam disguises the words a
 * filter would catch ("V1agra", "m0rtgage", "fr33", "v-i-a-g-r-a", a Cyrillic "а" in "pаypal") and
 * shouts (ALL CAPS, "!!!", "$$$"). Reads text fields, so it works on any data with text columns.
 *
 *   oov_share, oov_count   words (letters only, min_word_length+) not in the English dictionary
 *   digit_in_word          digits between letters ("v1agra", "m0rtgage"; 4+ letters, so not "i18n", "b2b")
 *   leet_word              not a word as written, but one after undoing 0→o 1→i/l 3→e 4→a 5→s 7→t @→a $→s
 *   symbol_in_word         a symbol between letters ("v!agra", "mo|rtgage"; URLs and addresses aside)
 *   spaced_letters         letters spelled out with separators ("F.R.E.E", "v-i-a-g-r-a")
 *   fuzzy_watch            watch words found only after undoing look-alikes (ReplaceTags), distinct
 *   fuzzy:<word>           … each watch word (with per_word)
 *   mixed_script           tokens mixing Latin with Cyrillic or Greek letters
 *   caps_share             share of 3+-letter words in ALL CAPS
 *   exclaim_runs, dollar_runs   runs of two or more "!" / "$"
 */
import type { Example } from "../data/example.js";
import { spellingParamsSchema, type SpellingParams } from "../spec/schema.js";
import { isMixedScript, WatchWords } from "./confusables.js";
import { isEnglishWord } from "./english-dictionary.js";
import { textField } from "./example-fields.js";
import type { FeatureFamilyDefinition } from "./family.js";
import { SignalFamily, type Signal } from "./signal-family.js";

const PREFIX = "spelling";
const SPEC_KEY = "features.spelling";
/** Longer texts are cut here: the signals are rates and presences, and the tail of a 5 MB message adds nothing. */
const MAX_CHARS = 200_000;

export function spellingSignals(params: SpellingParams): Signal[] {
  return [
    { name: "oov_share", kind: "ratio" },
    { name: "oov_count", kind: "count" },
    { name: "digit_in_word", kind: "count" },
    { name: "leet_word", kind: "count" },
    { name: "symbol_in_word", kind: "count" },
    { name: "spaced_letters", kind: "count" },
    { name: "fuzzy_watch", kind: "count" },
    ...(params.per_word ? params.watch_words.map((w): Signal => ({ name: `fuzzy:${w}`, kind: "flag" })) : []),
    { name: "mixed_script", kind: "count" },
    { name: "caps_share", kind: "ratio" },
    { name: "exclaim_runs", kind: "count" },
    { name: "dollar_runs", kind: "count" },
  ];
}

/** Look-alike characters and the letters they stand for (the spelling family and the diagnosis's tags share it). */
export const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "l",
};
const SPACED = /(?:[a-z][-._*|~+] ?){3,}[a-z]/gi;

/**
 * The word a leet token stands for ("fr33" → "free", "m0rtgage" → "mortgage"), or null. Version
 * numbers and variables are not leet: a token that starts with a digit ("10am"), or whose only
 * substitution is at an edge ("perl5", "pop3", "$tag"), does not count.
 */
export function unleet(token: string): string | null {
  const lower = token.toLowerCase();
  if (lower.charCodeAt(0) >= 48 && lower.charCodeAt(0) <= 57) return null;
  let out = "";
  let letters = 0;
  let subs = 0;
  let inside = false;
  const chars = [...lower];
  for (let k = 0; k < chars.length; k++) {
    const ch = chars[k]!;
    const mapped = LEET[ch];
    if (mapped !== undefined) {
      out += mapped;
      subs++;
      if (k > 0 && k < chars.length - 1 && letters > 0) inside = true;
    } else if (classOf(ch.charCodeAt(0)) === LETTER) {
      out += ch;
      letters++;
    } else return null;
  }
  if (letters < 2 || out.length < 4 || subs === 0 || (!inside && subs < 2)) return null;
  if (isEnglishWord(out)) return out;
  // "1" stands for "l" as often as for "i"
  const withL = out.replace(/i/g, (m, at: number) => (lower[at] === "1" ? "l" : m));
  return withL !== out && isEnglishWord(withL) ? withL : null;
}

// Character classes of the token scanner. A token is a run of letters, digits, the symbols
// spammers put inside words (@ $ ! |) and apostrophes.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
const SYMBOL = 3;
const APOSTROPHE = 4;
/** Class of every UTF-16 code unit, filled on first sight (255 = not yet known). */
const CLASS = new Uint8Array(65536).fill(255);
const IS_LETTER = /\p{L}/u;
const IS_NUMBER = /\p{N}/u;

function classOf(code: number): number {
  let k = CLASS[code]!;
  if (k === 255) {
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) k = LETTER;
    else if (code >= 48 && code <= 57) k = DIGIT;
    else if (code === 64 || code === 36 || code === 33 || code === 124) k = SYMBOL;
    else if (code === 39 || code === 0x2019) k = APOSTROPHE;
    else if (code < 128 || (code >= 0xd800 && code <= 0xdfff)) k = OTHER;
    else {
      const ch = String.fromCharCode(code);
      k = IS_LETTER.test(ch) ? LETTER : IS_NUMBER.test(ch) ? DIGIT : OTHER;
    }
    CLASS[code] = k;
  }
  return k;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 160;
}

/** "http://", "https://" or "www." at `i` (any case), without building a string. */
function urlStartsAt(text: string, i: number): boolean {
  const at = (k: number): number => text.charCodeAt(i + k) | 32;
  if (at(0) === 119) return at(1) === 119 && at(2) === 119 && text.charCodeAt(i + 3) === 46;
  if (at(0) !== 104 || at(1) !== 116 || at(2) !== 116 || at(3) !== 112) return false;
  const k = at(4) === 115 ? 5 : 4;
  return text.charCodeAt(i + k) === 58 && text.charCodeAt(i + k + 1) === 47 && text.charCodeAt(i + k + 2) === 47;
}

function countMatches(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

export function spellingExtractor(params: SpellingParams): (ex: Example, row: Float64Array) => void {
  const names = spellingSignals(params).map((s) => s.name);
  const c = Object.fromEntries(names.map((n, i) => [n, i])) as Record<string, number>;
  const fuzzyCols = params.watch_words.map((w) => (params.per_word ? c[`fuzzy:${w}`]! : -1));
  const watch = new WatchWords(params.watch_words);
  const { min_word_length: minLength, max_words: maxWords } = params;

  return (ex, row) => {
    let text = "";
    for (let f = 0; f < params.fields.length; f++) {
      text += (f > 0 ? "\n" : "") + textField(ex, params.fields[f]!, `${SPEC_KEY}.fields`);
    }
    if (text.length > MAX_CHARS) text = text.slice(0, MAX_CHARS);

    const found = watch.hits(text);
    row[c.fuzzy_watch!] = found.size;
    for (const k of found) if (fuzzyCols[k]! >= 0) row[fuzzyCols[k]!] = 1;

    let checked = 0;
    let oov = 0;
    let capsWords = 0;
    let longWords = 0;
    let digitWords = 0;
    let leetWords = 0;
    let symbolWords = 0;
    let mixed = 0;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const code = text.charCodeAt(i);
      const first = classOf(code);
      if (first === OTHER) {
        i++;
        continue;
      }
      // URLs and mail addresses are not words: skip them whole
      if ((code | 32) === 104 || (code | 32) === 119) {
        if (urlStartsAt(text, i)) {
          while (i < n && !isSpace(text.charCodeAt(i))) i++;
          continue;
        }
      }
      let end = i;
      let at = false;
      for (; end < n; end++) {
        const ch = text.charCodeAt(end);
        if (classOf(ch) === OTHER) break;
        if (ch === 64) at = true;
      }
      const start = i;
      i = end;
      if (at && end < n && text.charCodeAt(end) === 46 /* "." after "x@y": an address */) {
        while (i < n && !isSpace(text.charCodeAt(i))) i++;
        continue;
      }
      // symbols and apostrophes at the edges are punctuation ("wow!", "'quoted'"); "$ave" keeps its "$"
      let s = start;
      let e = end;
      while (e > s && classOf(text.charCodeAt(e - 1)) >= SYMBOL && text.charCodeAt(e - 1) !== 36) e--;
      while (s < e && classOf(text.charCodeAt(s)) >= SYMBOL && text.charCodeAt(s) !== 36) s++;

      let letters = 0;
      let digits = 0;
      let symbols = 0;
      let upper = 0;
      let ascii = true;
      let digitInside = false;
      let symbolInside = false;
      let sawLetter = false;
      let prev = OTHER;
      for (let k = s; k < e; k++) {
        const ch = text.charCodeAt(k);
        const cls = classOf(ch);
        if (ch >= 128) ascii = false;
        if (cls === LETTER) {
          letters++;
          if (ch >= 65 && ch <= 90) upper++;
          // a run of digits or symbols between two letters
          if (sawLetter && prev === DIGIT) digitInside = true;
          if (sawLetter && prev === SYMBOL) symbolInside = true;
          sawLetter = true;
        } else if (cls === DIGIT) digits++;
        else if (cls === SYMBOL) symbols++;
        prev = cls;
      }
      if (letters === 0) continue;
      const token = text.slice(s, e);
      if (digits === 0 && symbols === 0) {
        if (letters >= 3) {
          longWords++;
          if (ascii ? upper === letters : token === token.toUpperCase() && token !== token.toLowerCase()) capsWords++;
        }
        if (letters >= minLength && checked < maxWords) {
          checked++;
          if (!isEnglishWord(token)) oov++;
        }
        if (!ascii && isMixedScript(token)) mixed++;
        continue;
      }
      if (letters >= 4 && digitInside) digitWords++;
      if (symbolInside) symbolWords++;
      if (letters >= 2 && e - s <= 30 && unleet(token) !== null) leetWords++;
      if (!ascii && isMixedScript(token)) mixed++;
    }
    let spaced = 0;
    SPACED.lastIndex = 0;
    for (let m = SPACED.exec(text); m !== null; m = SPACED.exec(text)) {
      const before = m.index > 0 ? classOf(text.charCodeAt(m.index - 1)) : OTHER;
      const after = m.index + m[0].length < n ? classOf(text.charCodeAt(m.index + m[0].length)) : OTHER;
      if (before !== LETTER && before !== DIGIT && after !== LETTER) spaced++;
    }

    row[c.oov_share!] = checked === 0 ? 0 : oov / checked;
    row[c.oov_count!] = oov;
    row[c.digit_in_word!] = digitWords;
    row[c.leet_word!] = leetWords;
    row[c.symbol_in_word!] = symbolWords;
    row[c.spaced_letters!] = spaced;
    row[c.mixed_script!] = mixed;
    row[c.caps_share!] = longWords === 0 ? 0 : capsWords / longWords;
    row[c.exclaim_runs!] = countMatches(text, /!{2,}/g);
    row[c.dollar_runs!] = countMatches(text, /\$\$+/g);
  };
}

export const spellingFamily: FeatureFamilyDefinition<SpellingParams> = {
  name: "spelling",
  prefix: PREFIX,
  paramsSchema: spellingParamsSchema,
  create: (params) =>
    new SignalFamily("spelling", PREFIX, spellingSignals(params), spellingExtractor(params), params.scale),
  restore: (params, state) =>
    new SignalFamily("spelling", PREFIX, spellingSignals(params), spellingExtractor(params), params.scale).restoreState(
      state,
    ),
};
