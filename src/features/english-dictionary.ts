/**
 * English word look-ups for the spelling family: Hunspell's en_US dictionary (npm dictionary-en,
 * SCOWL-based) through nspell. Loading it takes about a second, so it is loaded once per process,
 * on the first look-up, and every word's answer is cached: a corpus repeats the same words, and a
 * cached answer costs a Map hit instead of nspell's affix search.
 *
 * dictionary-en is an ESM module that reads its files with top-level await; the features stage is
 * synchronous, so the two files are read here directly from the package folder.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import nspell from "nspell";

type Checker = ReturnType<typeof nspell>;

let checker: Checker | null = null;
const answers = new Map<string, boolean>();
/** Bound on the cache (a message of random strings must not grow it forever). */
const MAX_CACHED = 500_000;

function load(): Checker {
  if (checker === null) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("dictionary-en"));
    checker = nspell(readFileSync(path.join(dir, "index.aff")), readFileSync(path.join(dir, "index.dic")));
  }
  return checker;
}

/**
 * True if `word` is an English word. Hunspell already accepts "HELLO" and "Hello" for "hello"; a
 * lower-case word is also accepted when its capitalised form is a proper noun ("linux" → "Linux").
 */
export function isEnglishWord(word: string): boolean {
  let known = answers.get(word);
  if (known === undefined) {
    const spell = load();
    known = spell.correct(word);
    if (!known && word.length > 1) {
      const first = word.charCodeAt(0);
      if (first >= 97 && first <= 122) known = spell.correct(word[0]!.toUpperCase() + word.slice(1));
    }
    if (answers.size >= MAX_CACHED) answers.clear();
    answers.set(word, known);
  }
  return known;
}
