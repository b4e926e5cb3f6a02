/**
 * Look-alike characters, for the spelling and urls families: a same-length "skeleton" of a text
 * (Cyrillic "а" and accented "á" read as "a"; Unicode TR39's idea, cut down to the letters spam
 * actually borrows), script detection for mixed-script tokens and hosts ("pаypal" with a Cyrillic
 * "а"), and the ReplaceTags recipe of SpamAssassin's 25_replace.cf: each letter of a watch word may
 * be written with a class of look-alikes (0 for o, 1 | ! l for i, @ 4 for a, $ 5 z for s, rn for
 * m, \/ for v …), and for long words at most one junk character between letters ("v-i-a-g-r-a").
 */

/** Cyrillic and Greek letters that render like a Latin letter (lower and upper case). */
const LOOKALIKES: Record<string, string> = {
  а: "a",
  А: "a",
  в: "b",
  В: "b",
  с: "c",
  С: "c",
  е: "e",
  Е: "e",
  ё: "e",
  һ: "h",
  Н: "h",
  і: "i",
  І: "i",
  ј: "j",
  Ј: "j",
  к: "k",
  К: "k",
  м: "m",
  М: "m",
  о: "o",
  О: "o",
  р: "p",
  Р: "p",
  ѕ: "s",
  Ѕ: "s",
  т: "t",
  Т: "t",
  у: "y",
  У: "y",
  х: "x",
  Х: "x",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  α: "a",
  Α: "a",
  β: "b",
  Β: "b",
  ε: "e",
  Ε: "e",
  Ζ: "z",
  η: "n",
  Η: "h",
  ι: "i",
  Ι: "i",
  κ: "k",
  Κ: "k",
  Μ: "m",
  ν: "v",
  Ν: "n",
  ο: "o",
  Ο: "o",
  ρ: "p",
  Ρ: "p",
  τ: "t",
  Τ: "t",
  υ: "u",
  Υ: "y",
  χ: "x",
  Χ: "x",
};

const skeletonCache = new Map<number, string>();

function skeletonChar(code: number): string {
  let s = skeletonCache.get(code);
  if (s === undefined) {
    const ch = String.fromCharCode(code);
    s = LOOKALIKES[ch];
    if (s === undefined) {
      // Latin letters with diacritics: the base letter of the canonical decomposition ("é" → "e").
      const base = ch.normalize("NFD").charCodeAt(0);
      s = base < 128 ? String.fromCharCode(base).toLowerCase() : ch;
    }
    skeletonCache.set(code, s);
  }
  return s;
}

const NON_ASCII = /[^\u0000-\u007f]/g; // eslint-disable-line no-control-regex
const foldChar = (ch: string): string => skeletonChar(ch.charCodeAt(0));

/**
 * The text with every character replaced by one lower-case character it looks like; the same
 * length as the input, so that offsets into the skeleton are offsets into the text.
 */
export function skeleton(text: string): string {
  // fold look-alikes before lower-casing: capital Greek eta "Η" looks like "H", small eta "η" like "n"
  const folded = text.replace(NON_ASCII, foldChar).toLowerCase();
  // toLowerCase keeps the length except for a handful of letters ("İ" → "i̇"); then go one by one
  if (folded.length === text.length) return folded;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
    else {
      const folded1 = skeletonChar(c);
      const lower = folded1.toLowerCase();
      out += lower.length === 1 ? lower : folded1;
    }
  }
  return out;
}

export const SCRIPT_LATIN = 1;
export const SCRIPT_CYRILLIC = 2;
export const SCRIPT_GREEK = 4;
export const SCRIPT_OTHER = 8;

const LATIN = /\p{Script=Latin}/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const GREEK = /\p{Script=Greek}/u;
const LETTER = /\p{L}/u;

/** Bit set of the scripts of the letters in `s` (digits and punctuation belong to none). */
export function letterScripts(s: string): number {
  let bits = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 128) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) bits |= SCRIPT_LATIN;
      continue;
    }
    if (!LETTER.test(ch)) continue;
    if (LATIN.test(ch)) bits |= SCRIPT_LATIN;
    else if (CYRILLIC.test(ch)) bits |= SCRIPT_CYRILLIC;
    else if (GREEK.test(ch)) bits |= SCRIPT_GREEK;
    else bits |= SCRIPT_OTHER;
  }
  return bits;
}

/**
 * Letters of scripts that are confusable with each other in one token: Latin with Cyrillic or
 * Greek, or Cyrillic with Greek. (Latin with Han or Kana is ordinary Japanese and Chinese text.)
 */
export function isMixedScript(s: string): boolean {
  const bits = letterScripts(s);
  const confusable = bits & (SCRIPT_LATIN | SCRIPT_CYRILLIC | SCRIPT_GREEK);
  return confusable !== 0 && (confusable & (confusable - 1)) !== 0;
}

/** Each letter's look-alikes in a skeleton (already lower-case, accents and Cyrillic/Greek folded). */
const LETTER_CLASS: Record<string, string> = {
  a: "[a@4]",
  b: "[b8]",
  c: "[c(¢]",
  e: "[e3€]",
  g: "[g9]",
  i: "[i1l|!]",
  l: "[l1i|!]",
  m: "(?:m|rn)",
  o: "[o0]",
  s: "[s5$z]",
  t: "[t7+]",
  u: "[uv]",
  v: "(?:v|\\\\/)",
  x: "(?:x|×|><)",
  z: "[z2s]",
};

/**
 * At most one character that is not a lower-case ASCII letter, a digit or a line break (the
 * skeleton is lower-case and folded to ASCII where a look-alike exists). ASCII-only classes keep
 * the regex out of Unicode mode, which is three times faster on a corpus.
 */
const JUNK = "[^a-z0-9\\n]?";

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Words shorter than this get no junk between their letters: "John's ex" must not read as "sex". */
const MIN_JUNK_WORD = 6;

/** The regex source matching `word` written with look-alikes (and junk, if long enough) on a skeleton. */
export function fuzzyPattern(word: string): string {
  return [...word].map((ch) => LETTER_CLASS[ch] ?? escapeRegExp(ch)).join(word.length >= MIN_JUNK_WORD ? JUNK : "");
}

/**
 * The watch words as one sticky regex over a skeleton (group k+1 is watch word k, with an optional
 * plural "s"/"es" and no letter or digit right after), tried only where a word starts with a
 * character that can begin one of them: on a corpus that is several times faster than letting the
 * regex engine scan every position itself.
 */
export class WatchWords {
  private readonly regex: RegExp;
  /** Code units (below 0x2100) that can start a match. */
  private readonly canStart = new Uint8Array(0x2100);

  constructor(readonly words: readonly string[]) {
    const alternatives = words.map((w) => `(${fuzzyPattern(w)})`).join("|");
    this.regex = new RegExp(`(?:${alternatives})(?:e?s)?(?![a-z0-9])`, "y");
    const first = new RegExp(`^(?:${words.map((w) => fuzzyPattern(w[0]!)).join("|")})`);
    for (let code = 0; code < this.canStart.length; code++) {
      if (first.test(String.fromCharCode(code))) this.canStart[code] = 1;
    }
  }

  /**
   * Indices of the watch words found in `text` only in disguise: matched on the skeleton, standing
   * alone, and not written plainly ("viagra", "Viagra", "viagras" do not count; "V1agra" does).
   */
  hits(text: string): Set<number> {
    const skel = skeleton(text);
    const found = new Set<number>();
    const regex = this.regex;
    const canStart = this.canStart;
    let prevAlnum = false;
    for (let i = 0; i < skel.length; i++) {
      const code = skel.charCodeAt(i);
      const alnum = isAsciiAlnum(code);
      if (!prevAlnum && code < 0x2100 && canStart[code] === 1) {
        regex.lastIndex = i;
        const m = regex.exec(skel);
        if (m !== null) {
          let k = 0;
          while (m[k + 1] === undefined) k++;
          const word = this.words[k]!;
          const written = text.slice(i, i + m[0].length).toLowerCase();
          if (written !== word && written !== word + "s" && written !== word + "es") found.add(k);
        }
      }
      prevAlnum = alnum;
    }
    return found;
  }
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}
