/** Small datasets for diagnosis tests, built so that the right answer is known. */
import type { Example } from "../../src/data/example.js";
import { sha1Hex } from "../../src/util/hash.js";
import { createRng } from "../../src/util/random.js";

export function textExample(
  id: string,
  label: string,
  body: string,
  extra: { categorical?: Record<string, string | null>; numeric?: Record<string, number | null>; group?: string } = {},
): Example {
  return {
    id,
    label,
    group: extra.group ?? null,
    text: { body },
    numeric: extra.numeric ?? {},
    categorical: extra.categorical ?? {},
    contentHash: sha1Hex(`${id}\n${label}\n${body}`),
  };
}

export function labelsOf(examples: readonly Example[], classes: readonly string[]): Int32Array {
  return Int32Array.from(examples, (e) => classes.indexOf(e.label));
}

/**
 * A two-class text corpus with known structure: "spam" documents draw most words from the first
 * vocabulary, "ham" from the second; `mix` is the share of words drawn from the other class's
 * vocabulary (noise). Seeded.
 */
export function syntheticCorpus(options: {
  n: number;
  seed: number;
  spamShare?: number;
  mix?: number;
  vocab?: number;
  length?: [number, number];
  /** Words per document from a vocabulary shared by both classes (pure noise), and its size. */
  noiseWords?: number;
  noiseVocab?: number;
  extra?: (i: number, spam: boolean, rng: () => number) => Partial<Pick<Example, "categorical" | "numeric" | "group">>;
}): Example[] {
  const rng = createRng(options.seed);
  const vocab = options.vocab ?? 200;
  const [lo, hi] = options.length ?? [8, 30];
  const out: Example[] = [];
  for (let i = 0; i < options.n; i++) {
    const spam = rng.next() < (options.spamShare ?? 0.4);
    const len = lo + rng.int(hi - lo + 1);
    const words: string[] = [];
    for (let k = 0; k < len; k++) {
      const fromOwn = rng.next() >= (options.mix ?? 0.15);
      const spamWord = spam === fromOwn;
      words.push(`${spamWord ? "s" : "h"}${rng.int(vocab)}`);
    }
    for (let k = 0; k < (options.noiseWords ?? 0); k++) words.push(`n${rng.int(options.noiseVocab ?? 1000)}`);
    const extra = options.extra?.(i, spam, () => rng.next()) ?? {};
    out.push({
      ...textExample(`ex${String(i).padStart(4, "0")}`, spam ? "spam" : "ham", words.join(" ")),
      ...extra,
    });
  }
  return out;
}
