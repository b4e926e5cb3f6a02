/**
 * Feature families the error analysis points to: a tag carried by many errors, and a family this
 * spec does not use yet that addresses it (MLY ch. 25: modify the input features based on error
 * analysis). The expected gain is a part of the tag's ceiling.
 */
import type { CandidateChange } from "../../diagnose/diagnostic.js";
import { isFeatureFamilyName } from "../../features/registry.js";
import { pct, problemsOf, type Rule } from "./rule.js";

/** Which feature family addresses which error tag (the email families of issue #4). */
export const TAG_FAMILIES: Readonly<Record<string, { family: string; what: string }>> = {
  "ip-url": { family: "urls", what: "phishing-URL signals" },
  "mismatched-link": { family: "urls", what: "phishing-URL signals" },
  "many-links": { family: "urls", what: "URL signals" },
  "forged-routing": { family: "routing", what: "routing/relay features" },
  "obfuscated-words": { family: "spelling", what: "misspelling/obfuscation features" },
  "html-only": { family: "html", what: "HTML structure features" },
  "image-heavy": { family: "html", what: "HTML structure features" },
  "mailing-list": { family: "headers", what: "header features" },
  "freemail-from": { family: "headers", what: "header features" },
  "caps-subject": { family: "headers", what: "header features" },
};

interface FamilyEvidence {
  what: string;
  tags: string[];
  gain: number;
  share: number;
}

export const errorTagRule: Rule = ({ spec, findings }) => {
  const ea = findings.errorAnalysis;
  if (!ea || ea.errors === 0) return [];
  const byFamily = new Map<string, FamilyEvidence>();
  for (const t of ea.tags) {
    const m = TAG_FAMILIES[t.tag];
    if (!m || !isFeatureFamilyName(m.family)) continue;
    if ((spec.features as Record<string, unknown>)[m.family] !== undefined) continue;
    const e = byFamily.get(m.family) ?? { what: m.what, tags: [], gain: 0, share: 0 };
    e.tags.push(`${t.tag} (${t.errors} errors, ${Math.round(t.share * 100)}%, ceiling ${pct(t.ceilingError)})`);
    if (t.maxGain > e.gain) {
      e.gain = t.maxGain;
      e.share = t.share;
    }
    byFamily.set(m.family, e);
  }
  const bias = problemsOf(findings).has("high_avoidable_bias");
  return [...byFamily].map(([family, e]): CandidateChange => {
    // a ceiling is an upper bound: expect a part of it (the share a new family typically fixes)
    const expected = 0.3 * e.gain;
    return {
      finding: "error_tag",
      title: `enable features.${family} (${e.what})`,
      rationale:
        `${Math.round(e.share * 100)}% of ${ea.split} errors carry ${e.tags.length === 1 ? "a tag" : "tags"} that ${e.what} address` +
        (bias ? "; high avoidable bias: modify the input features based on error analysis (MLY ch. 25)" : ""),
      evidence: e.tags,
      patch: [{ op: "set", path: ["features", family], value: {} }],
      action: null,
      expected: {
        devErrorDelta: -expected,
        low: -e.gain,
        high: 0,
        basis: "tag ceiling (upper bound), 30% of it expected",
      },
      gain: expected,
    };
  });
};
