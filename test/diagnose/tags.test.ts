/** Built-in error-analysis tags computed from parsed messages, and the spec's own rules. */
import { profileData } from "../../src/diagnose/data-profile.js";
import { describe, expect, it } from "vitest";
import { emailExample } from "../../src/data/sources/email-example.js";
import { parseEmail } from "../../src/data/email/parse.js";
import { builtinTags, compileRules, fieldValue, hostOf, tagsOf } from "../../src/diagnose/tags.js";
import { diagnoseSchema } from "../../src/spec/diagnose.js";
import { textExample } from "./helpers.js";

function email(raw: string) {
  return emailExample("m/1", "spam", "m", raw, parseEmail(raw), "h");
}

const routed =
  "Received: from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.com\nMessage-ID: <1@example.org>\n";
const longText = "This is a perfectly ordinary message body that goes on for a while. ".repeat(4);

describe("built-in tags", () => {
  it("ip-url and mismatched-link from the links", () => {
    const ex = email(
      `${routed}From: a@example.org\nSubject: hi\nContent-Type: text/html\n\n<p>${longText}</p><a href="http://192.168.10.5/login">https://bank.example.com/</a><p>hello</p>`,
    );
    const tags = builtinTags(ex);
    expect(tags).toContain("ip-url");
    expect(tags).toContain("mismatched-link");
    expect(tags).toContain("html-only");
  });

  it("obfuscated words: look-alike characters and spaced letters, not plain words", () => {
    const base = `${routed}From: a@example.org\nSubject: offer\n\n${longText}`;
    expect(builtinTags(email(`${base} Buy v1agra now`))).toContain("obfuscated-words");
    expect(builtinTags(email(`${base} get fr33 m0ney`))).toContain("obfuscated-words");
    expect(builtinTags(email(`${base} v i a g r a here`))).toContain("obfuscated-words");
    expect(builtinTags(email(`${base} free money today, model b3 and mp3`))).not.toContain("obfuscated-words");
  });

  it("mailing-list, short-body, forged-routing, freemail-from, caps-subject", () => {
    const list = email(`${routed}From: x@example.org\nList-Id: <ilug.linux.ie>\nSubject: Re: kernel\n\n${longText}`);
    expect(builtinTags(list)).toEqual(["mailing-list"]);
    const short = email(`From: someone@hotmail.com\nSubject: MAKE MONEY FAST NOW\n\nclick here`);
    expect(builtinTags(short)).toEqual(["short-body", "forged-routing", "freemail-from", "caps-subject"]);
    const dynamic = email(
      `Received: from adsl-64-123-5-6.dsl.example.net ([64.123.5.6]) by mx\nMessage-ID: <2@x>\nFrom: a@example.org\nSubject: hi\n\n${longText}`,
    );
    expect(builtinTags(dynamic)).toEqual(["forged-routing"]);
  });

  it("plain-text examples get no email rule; against a training profile, text length bands", () => {
    expect(builtinTags(textExample("t", "ham", "short"))).toEqual([]);
    expect(builtinTags(textExample("t", "ham", longText))).toEqual([]);
    const profile = profileData(
      Array.from({ length: 10 }, (_, i) => textExample(`p${i}`, "ham", "w".repeat(100 + 10 * i))),
    );
    expect(builtinTags(textExample("t", "ham", "short"), profile)).toEqual(["short-text"]);
  });

  it("hostOf reads the host of a URL and ignores what is not one", () => {
    expect(hostOf("http://user@Example.COM:8080/x")).toBe("example.com");
    expect(hostOf("click here")).toBeNull();
  });
});

describe("rules from the spec", () => {
  it("regex, equals and numeric bounds on fields, headers and derived counts", () => {
    const spec = diagnoseSchema.parse({
      rules: [
        { tag: "unsubscribe", field: "body", regex: "unsubscribe" },
        { tag: "ilug", field: "header:list-id", regex: "ilug" },
        { tag: "long", field: "length", min: 200 },
        { tag: "from-m", field: "group", equals: "m" },
      ],
    });
    const rules = compileRules(spec.rules);
    const ex = email(
      `${routed}From: x@example.org\nList-Id: <ilug.linux.ie>\nSubject: Re\n\n${longText} To UNSUBSCRIBE reply`,
    );
    expect(tagsOf(ex, rules, new Map([["m/1", ["mislabeled"]]]))).toEqual([
      { tag: "mailing-list", source: "builtin" },
      { tag: "unsubscribe", source: "rule" },
      { tag: "ilug", source: "rule" },
      { tag: "long", source: "rule" },
      { tag: "from-m", source: "rule" },
      { tag: "mislabeled", source: "manual" },
    ]);
    expect(fieldValue(ex, "links")).toBe(0);
    expect(fieldValue(ex, "no-such-field")).toBeNull();
  });

  it("a bad regex is a SpecError naming the rule", () => {
    expect(() => compileRules([{ tag: "x", field: "body", regex: "(" }])).toThrow(
      /^diagnose\.rules\.0\.regex: Invalid regular expression/,
    );
  });

  it("the schema wants a predicate and a clean tag name", () => {
    const r = diagnoseSchema.safeParse({ rules: [{ tag: "x", field: "body" }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toBe("a rule needs a predicate: regex, equals, min or max");
    const t = diagnoseSchema.safeParse({ rules: [{ tag: "two words", field: "body", regex: "a" }] });
    expect(t.error!.issues[0]!.message).toBe('use letters, digits, "-", "_", "." or ":" (e.g. newsletter)');
  });
});
