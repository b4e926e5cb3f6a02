/**
 * What counts as a word character, exactly as in scikit-learn's default token_pattern
 * `(?u)\b\w\w+\b`: Python's `\w` on str is "alphanumeric or underscore", i.e. Unicode general
 * categories L* and N* plus "_". Checked code point by code point against Python 3.11's `re`
 * (Unicode 14): identical except for characters assigned after Unicode 14, which Node knows and
 * Python 3.11 does not.
 *
 * A token is then a maximal run of word characters at least two code points long (a `\b\w\w+\b`
 * match always starts at a run start and is greedy, so it is the whole run).
 */

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

const UNKNOWN = 0;
const WORD = 1;
const NOT_WORD = 2;

/**
 * Classification cache for the Basic Multilingual Plane, filled lazily (ASCII up front): 1 = word
 * character, 2 = not, 0 = not looked at yet (ask `isWordBmp`). Exported so that hot loops can read
 * it inline.
 */
export const bmpClass = new Uint8Array(65536);
for (let c = 0; c < 128; c++) bmpClass[c] = WORD_CHAR.test(String.fromCharCode(c)) ? WORD : NOT_WORD;
// Surrogates are never word characters on their own; pairs are classified as a whole code point.
bmpClass.fill(NOT_WORD, 0xd800, 0xe000);

const astralCache = new Map<number, boolean>();

/** Is this BMP code unit (not a surrogate) a word character? */
export function isWordBmp(c: number): boolean {
  const k = bmpClass[c]!;
  if (k !== UNKNOWN) return k === WORD;
  const word = WORD_CHAR.test(String.fromCharCode(c));
  bmpClass[c] = word ? WORD : NOT_WORD;
  return word;
}

/** Is this supplementary-plane code point (>= 0x10000) a word character? */
export function isWordAstral(cp: number): boolean {
  let word = astralCache.get(cp);
  if (word === undefined) {
    word = WORD_CHAR.test(String.fromCodePoint(cp));
    astralCache.set(cp, word);
  }
  return word;
}

/** Is code point `cp` a word character (Python's `\w`)? */
export function isWordCodePoint(cp: number): boolean {
  return cp < 0x10000 ? isWordBmp(cp) : isWordAstral(cp);
}

/**
 * The tokens of `text` as strings (no lowercasing). The featurizer does not use this — it scans and
 * interns without allocating per token (token-table.ts) — but it is the readable definition, used by
 * tests and by anyone who wants to see what the words family sees.
 */
export function wordTokens(text: string): string[] {
  const out: string[] = [];
  forEachToken(text, (start, end) => out.push(text.slice(start, end)));
  return out;
}

/**
 * Calls `visit(start, end)` for each token of `text` (a run of 2+ word characters, counted in code
 * points; `end` is exclusive, in UTF-16 units), in order — the one scanner behind wordTokens and
 * the words family's token rewrites.
 */
export function forEachToken(text: string, visit: (start: number, end: number) => void): void {
  let start = -1;
  let codePoints = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    let word = false;
    let units = 1;
    if (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0xd800 || c >= 0xe000) word = isWordBmp(c);
      else if (c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          word = isWordAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
          units = 2;
        }
      }
    }
    if (word) {
      if (start < 0) {
        start = i;
        codePoints = 0;
      }
      codePoints++;
    } else if (start >= 0) {
      if (codePoints >= 2) visit(start, i);
      start = -1;
    }
    i += units - 1;
  }
}
