import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/errors.js";
import { isMixedScript, skeleton, WatchWords } from "../../src/features/confusables.js";
import { isEnglishWord } from "../../src/features/english-dictionary.js";
import { createFamily } from "../../src/features/registry.js";
import { unleet } from "../../src/features/spelling.js";
import { docs } from "./helpers.js";
import { fired, mail, signalsOfOne } from "./email-helpers.js";

const body = (text: string): ReturnType<typeof mail> => mail({ body: text });

describe("look-alikes", () => {
  it("skeleton folds case, accents and Cyrillic/Greek look-alikes and keeps offsets", () => {
    const text = "V\u0456\u0430gr\u00e1 Ηello"; // Ukrainian i, Cyrillic a, a-acute, Greek capital eta
    const skel = skeleton(text);
    expect(skel).toBe("viagra hello");
    expect(skel.length).toBe(text.length);
  });

  it("isMixedScript: Latin with Cyrillic or Greek, not Latin with Han, not one script", () => {
    expect(isMixedScript("p\u0430ypal")).toBe(true);
    expect(isMixedScript("\u03b1lpha")).toBe(true);
    expect(isMixedScript("paypal")).toBe(false);
    expect(isMixedScript("пример")).toBe(false);
    expect(isMixedScript("ABC漢字")).toBe(false);
  });

  it("WatchWords finds disguised watch words only, whole words, plural allowed", () => {
    const w = new WatchWords(["viagra", "mortgage", "free", "money", "sex"]);
    const hits = (t: string): string[] => [...w.hits(t)].map((k) => w.words[k]!).sort();
    expect(hits("Buy V1agra and v-i-a-g-r-a now")).toEqual(["viagra"]);
    expect(hits("low m0rtgage rates, 100% fr33, m0ney back")).toEqual(["free", "money", "mortgage"]);
    expect(hits("low mortgage rates, free money, viagras, Viagra")).toEqual([]);
    // inside other words, or short words spread with junk ("John's ex")
    expect(hits("freedom, carefree, John's ex-wife, s.e.x")).toEqual([]);
    expect(hits("V\u0456AGRA")).toEqual(["viagra"]);
  });
});

describe("dictionary", () => {
  it("knows English words, their inflections and capitalised proper nouns in lower case", () => {
    for (const w of ["hello", "running", "emails", "Washington", "washington", "linux", "HELLO", "don't"]) {
      expect(isEnglishWord(w), w).toBe(true);
    }
    for (const w of ["teh", "recieve", "qwzx"]) expect(isEnglishWord(w), w).toBe(false);
  });

  it("unleet undoes digit and symbol substitutions, but not version numbers or variables", () => {
    expect(unleet("fr33")).toBe("free");
    expect(unleet("m0rtgage")).toBe("mortgage");
    expect(unleet("c1ick")).toBe("click");
    expect(unleet("Micro$oft")).toBe("microsoft");
    for (const t of ["perl5", "pop3", "$tag", "print$", "10am", "mp3", "x11"]) expect(unleet(t), t).toBeNull();
  });
});

describe("spelling family", () => {
  it("a clean English message: only the ALL-CAPS share and the dictionary counts can be non-zero", () => {
    const s = signalsOfOne("spelling", body("Hello Bob,\n\nhere are the minutes of the meeting. See you on Monday.\n"));
    // "minutes of the meeting" (subject) and the body: every word is English
    expect(s).toEqual({});
  });

  it("oov_share and oov_count: words not in the dictionary, over the words checked", () => {
    // subject "minutes of the meeting": 3 words of 3+ letters; body: 4 words, 2 misspelt
    const s = signalsOfOne("spelling", body("Plese recieve these tickets\n"));
    expect(s.oov_count).toBe(Math.log1p(2));
    expect(s.oov_share).toBeCloseTo(2 / 7, 12);
  });

  const cases: Array<[string, string]> = [
    ["digit_in_word", "Cheap m0rtgage today\n"],
    ["leet_word", "It is all fr33 for you\n"],
    ["symbol_in_word", "Get v!agra here\n"],
    ["spaced_letters", "Make M.O.N.E.Y fast\n"],
    ["fuzzy_watch", "Cheap V1agra here\n"],
    ["mixed_script", "Your p\u0430ypal account\n"],
    ["caps_share", "THIS IS AMAZING\n"],
    ["exclaim_runs", "Act now!!\n"],
    ["dollar_runs", "Make $$$ fast\n"],
  ];
  for (const [signal, text] of cases) {
    it(`${signal} fires on a message built to show it`, () => {
      expect(fired("spelling", body(text))).toContain(signal);
    });
  }

  it("stays silent on the near misses", () => {
    const silent: Array<[string, string, string]> = [
      ["digit_in_word", "Upgrade to perl5 and i18n, b2b and w3c", "fewer than 4 letters, or digits at the edge"],
      ["symbol_in_word", "Mail bob@example.com or see http://a.example.com/x!y", "addresses and URLs are skipped"],
      ["spaced_letters", "e.g. the U.S. and i.e. the rest", "three letters or fewer"],
      ["fuzzy_watch", "Free money and a low mortgage", "plain spellings"],
      ["exclaim_runs", "Wow! Great! Thanks!", "single marks"],
      ["caps_share", "I am OK", "words under three letters"],
      ["mixed_script", "Привет, hello", "each word is one script"],
    ];
    for (const [signal, text, why] of silent) expect(fired("spelling", body(text)), why).not.toContain(signal);
  });

  it("per_word columns name the disguised watch word", () => {
    const s = signalsOfOne("spelling", body("Cheap V1agra and c1alis\n"));
    expect([s["fuzzy:viagra"], s["fuzzy:cialis"], s["fuzzy:money"], s.fuzzy_watch]).toEqual([
      1,
      1,
      undefined,
      Math.log1p(2),
    ]);
    const fam = createFamily("spelling", { per_word: false });
    expect(fam.featureNames().filter((n) => n.includes("fuzzy"))).toEqual(["spelling:fuzzy_watch"]);
  });

  it("reads any text field, so it works on csv/jsonl data too", () => {
    const fam = createFamily("spelling", { fields: ["text"], scale: "none" });
    fam.fit(docs(["FREE!!! c1ick here", "see you tomorrow"]));
    const names = fam.featureNames();
    const m = fam.transform(docs(["WIN $$$ qwzxy"]));
    const got = Object.fromEntries(Array.from(m.indices, (c, k) => [names[c], m.data[k]]));
    expect(got).toEqual({
      "spelling:oov_share": 0.5,
      "spelling:oov_count": Math.log1p(1),
      "spelling:caps_share": 0.5,
      "spelling:dollar_runs": Math.log1p(1),
    });
  });

  it("rejects watch words that are not plain lower-case letters", () => {
    expect(() => createFamily("spelling", { watch_words: ["V1agra"] })).toThrow(SpecError);
    expect(() => createFamily("spelling", { watch_words: ["V1agra"] })).toThrow(
      'features.spelling.watch_words.0: watch words are lower-case letters a–z, 3 or more (got "V1agra")',
    );
  });
});
