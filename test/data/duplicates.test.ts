/**
 * Duplicate clusters come from a streaming hash of the normalised text; they must be exactly the
 * clusters of the normalised texts themselves (lower-cased, whitespace runs collapsed, trimmed).
 */
import { describe, expect, it } from "vitest";
import type { Example } from "../../src/data/example.js";
import { duplicateClusters } from "../../src/data/split.js";
import { createRng } from "../../src/util/random.js";

function ex(i: number, body: string): Example {
  return { id: `e${i}`, label: "x", group: null, text: { body }, numeric: {}, categorical: {}, contentHash: `${i}` };
}

/** The definition, written the slow and obvious way. */
function reference(examples: readonly Example[]): number[][] {
  const byText = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const key = Object.values(e.text).join("\u0000").toLowerCase().replace(/\s+/g, " ").trim();
    if (key === "") return;
    byText.set(key, [...(byText.get(key) ?? []), i]);
  });
  return [...byText.values()].filter((l) => l.length > 1);
}

describe("duplicate clusters", () => {
  it("treat every kind of whitespace run as one space, ignore case and the ends, and never join empty texts", () => {
    const bodies = [
      "Free  Money\tnow",
      " free money now ",
      "free\u00a0money\u2003now",
      "free money\nnow\r\n",
      "free moneynow",
      "",
      "   ",
      "\u3000",
      "FREE MONEY NOW\ufeff",
      "free money now.",
      "İstanbul",
      "i̇stanbul",
    ];
    const examples = bodies.map((b, i) => ex(i, b));
    expect(duplicateClusters(examples)).toEqual(reference(examples));
    expect(duplicateClusters(examples)).toEqual([
      [0, 1, 2, 3, 8],
      [10, 11],
    ]);
  });

  it("agree with the definition on random texts over a tiny alphabet (many near-duplicates)", () => {
    const rng = createRng(7);
    const alphabet = ["a", "B", " ", "\t", "\n", "\u00a0", "b"];
    const examples = Array.from({ length: 3000 }, (_, i) => {
      const n = rng.int(6);
      let s = "";
      for (let k = 0; k < n; k++) s += alphabet[rng.int(alphabet.length)];
      return ex(i, s);
    });
    const got = duplicateClusters(examples);
    expect(got).toEqual(reference(examples));
    expect(got.length).toBeGreaterThan(20);
  });
});
