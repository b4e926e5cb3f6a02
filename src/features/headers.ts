/**
 * The headers family (email.headers): tokens taken from the headers, kept apart from the body's
 * words so that a weight on "free" in the subject is not a weight on "free" in the body, and so
 * that header text (addresses, mailer names, MIME types) does not flood the words family.
 *
 *   headers:subject:<word>          subject words (2+ letters/digits, lower-case)
 *   headers:from_domain=<domain>    registrable domain of From (and reply_to_domain= of Reply-To)
 *   headers:content_type=<type>     the top-level Content-Type ("none" when absent)
 *   headers:charset=<charset>       its charset parameter
 *   headers:mailer=<name>           X-Mailer / User-Agent without versions ("none" when absent)
 *   headers:has=<header>            every header name present (off by default: see the params)
 *
 * Which tokens become columns is learned from train: those in at least `min_df` training messages.
 */
import type { Example } from "../data/example.js";
import { StoreError } from "../errors.js";
import { headersParamsSchema, type HeadersParams } from "../spec/schema.js";
import type { CsrMatrix } from "./csr.js";
import { addressDomain, emailOf, firstHeader, registrableDomain } from "./email-util.js";
import { notFitted, type FeatureFamily, type FeatureFamilyDefinition } from "./family.js";
import { TokenVocabulary } from "./token-vocabulary.js";

const PREFIX = "headers";
const SPEC_KEY = "features.headers";
const SUBJECT_WORD = /[\p{L}\p{N}_]{2,}/gu;

/** "Microsoft Outlook Express 6.00.2600.0000" → "microsoft outlook express"; "Mutt/1.4i" → "mutt". */
export function mailerName(value: string): string {
  const head = value.split(/[\d(/;[<]/, 1)[0]!;
  const words = head.toLowerCase().match(/[a-z][a-z.+-]*/g) ?? [];
  const name = words
    .filter((w) => w !== "v" && w !== "version" && w !== "build")
    .slice(0, 3)
    .join(" ");
  return name === "" ? "other" : name;
}

export function headerTokens(ex: Example, params: HeadersParams): string[] {
  const email = emailOf(ex, SPEC_KEY);
  const out: string[] = [];
  if (params.subject) {
    for (const m of email.subject.toLowerCase().matchAll(SUBJECT_WORD)) out.push(`subject:${m[0]}`);
  }
  if (params.domains) {
    const from = addressDomain(firstHeader(email, "from"));
    if (from !== null) out.push(`from_domain=${registrableDomain(from)}`);
    const replyTo = addressDomain(firstHeader(email, "reply-to"));
    if (replyTo !== null) out.push(`reply_to_domain=${registrableDomain(replyTo)}`);
  }
  if (params.content_type) {
    const ct = firstHeader(email, "content-type");
    if (ct === null) out.push("content_type=none");
    else {
      const type = ct.split(";", 1)[0]!.trim().toLowerCase();
      if (/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type)) out.push(`content_type=${type}`);
      const charset = /charset\s*=\s*["']?([^"';\s]+)/i.exec(ct);
      if (charset !== null) out.push(`charset=${charset[1]!.toLowerCase()}`);
    }
  }
  if (params.mailer) {
    const mailer = firstHeader(email, "x-mailer") ?? firstHeader(email, "user-agent");
    out.push(`mailer=${mailer === null ? "none" : mailerName(mailer)}`);
  }
  if (params.header_names) {
    for (const h of email.headers) out.push(`has=${h.name}`);
  }
  return out;
}

export class HeadersFamily implements FeatureFamily {
  readonly name = "headers";
  private vocabulary: TokenVocabulary | null = null;

  constructor(private readonly params: HeadersParams) {}

  fit(train: readonly Example[]): void {
    this.vocabulary = TokenVocabulary.fit(this.tokens(train), this.params.min_df);
  }

  fitTransform(train: readonly Example[]): CsrMatrix {
    const docs = this.tokens(train);
    this.vocabulary = TokenVocabulary.fit(docs, this.params.min_df);
    return this.vocabulary.transform(docs, this.params.weighting);
  }

  transform(examples: readonly Example[]): CsrMatrix {
    if (!this.vocabulary) throw notFitted(this.name);
    return this.vocabulary.transform(this.tokens(examples), this.params.weighting);
  }

  featureNames(): string[] {
    if (!this.vocabulary) throw notFitted(this.name);
    return this.vocabulary.terms.map((t) => `${PREFIX}:${t}`);
  }

  state(): { vocabulary: string[] } {
    if (!this.vocabulary) throw notFitted(this.name);
    return { vocabulary: [...this.vocabulary.terms] };
  }

  static fromState(params: HeadersParams, state: unknown): HeadersFamily {
    const s = state as { vocabulary?: unknown } | null;
    if (s === null || typeof s !== "object" || !Array.isArray(s.vocabulary)) {
      throw new StoreError("saved headers features are not usable: expected { vocabulary: [...] }");
    }
    const family = new HeadersFamily(params);
    family.vocabulary = TokenVocabulary.restore(s.vocabulary, "headers");
    return family;
  }

  private tokens(examples: readonly Example[]): string[][] {
    return examples.map((ex) => headerTokens(ex, this.params));
  }
}

export const headersFamily: FeatureFamilyDefinition<HeadersParams> = {
  name: "headers",
  prefix: PREFIX,
  paramsSchema: headersParamsSchema,
  create: (params) => new HeadersFamily(params),
  restore: (params, state) => HeadersFamily.fromState(params, state),
};
