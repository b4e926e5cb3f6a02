/** Hand-written messages for the email family tests, parsed by the real parser. */
import { parseEmail } from "../../src/data/email/parse.js";
import type { Example } from "../../src/data/example.js";
import { emailExample } from "../../src/data/sources/email-example.js";
import { createFamily } from "../../src/features/registry.js";

/** A plain, well-formed message: two public relays, matching HELO/rDNS, sane Date, no list headers. */
export const CLEAN_HEADERS: ReadonlyArray<[string, string]> = [
  ["Return-Path", "<alice@example.org>"],
  [
    "Received",
    "from localhost (localhost [127.0.0.1]) by mx.recipient.net (Postfix) with ESMTP id A1 for <bob@localhost>; Thu, 22 Aug 2002 12:36:20 +0100",
  ],
  [
    "Received",
    "from mail.example.org (mail.example.org [66.187.233.211]) by mx.recipient.net (8.11.6/8.11.6) with ESMTP id g7MBYrZ04811 for <bob@recipient.net>; Thu, 22 Aug 2002 12:34:53 +0100",
  ],
  [
    "Received",
    "from desk.example.org (desk.example.org [66.187.233.20]) by mail.example.org (Postfix) with ESMTP id 99; Thu, 22 Aug 2002 07:34:10 -0400",
  ],
  ["From", "Alice <alice@example.org>"],
  ["To", "bob@recipient.net"],
  ["Subject", "minutes of the meeting"],
  ["Date", "Thu, 22 Aug 2002 07:34:00 -0400"],
  ["Message-ID", "<20020822113400.99@example.org>"],
  ["MIME-Version", "1.0"],
  ["Content-Type", "text/plain; charset=us-ascii"],
];

export const CLEAN_BODY = "Hello Bob,\n\nhere are the minutes of the meeting. See you on Monday.\n\nAlice\n";

export interface MailOptions {
  /** Headers to set: a name present in CLEAN_HEADERS replaces it (all of them for Received), null removes it. */
  readonly set?: Record<string, string | string[] | null>;
  /** Headers added at the top (newest first), e.g. extra Received lines. */
  readonly prepend?: ReadonlyArray<[string, string]>;
  readonly body?: string;
}

/** A raw message: CLEAN_HEADERS with the changes asked for, then the body. */
export function rawMail(opts: MailOptions = {}): string {
  const set = opts.set ?? {};
  const lower = new Map(Object.entries(set).map(([k, v]) => [k.toLowerCase(), v]));
  const lines: string[] = (opts.prepend ?? []).map(([k, v]) => `${k}: ${v}`);
  const done = new Set<string>();
  for (const [name, value] of CLEAN_HEADERS) {
    const key = name.toLowerCase();
    if (!lower.has(key)) {
      lines.push(`${name}: ${value}`);
      continue;
    }
    if (done.has(key)) continue;
    done.add(key);
    const v = lower.get(key);
    if (v === null || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${name}: ${one}`);
  }
  for (const [key, v] of lower) {
    if (done.has(key) || CLEAN_HEADERS.some(([n]) => n.toLowerCase() === key) || v === null || v === undefined)
      continue;
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${key}: ${one}`);
  }
  return lines.join("\n") + "\n\n" + (opts.body ?? CLEAN_BODY);
}

let counter = 0;

/** An Example from a raw message, through parseEmail and the email source's field mapping. */
export function mailExample(raw: string, id = `m${counter++}`, label = "ham"): Example {
  return emailExample(id, label, null, raw, parseEmail(raw), id);
}

export function mail(opts: MailOptions = {}): Example {
  return mailExample(rawMail(opts));
}

/**
 * Each example's non-zero signals, by feature name without the prefix, unscaled (`scale: "none"`;
 * counts are ln(1 + n)). The family is fitted on the examples themselves.
 */
export function signalsOf(
  family: string,
  examples: readonly Example[],
  params: object = {},
): Array<Record<string, number>> {
  const fam = createFamily(family, { scale: "none", ...params });
  fam.fit(examples);
  const m = fam.transform(examples);
  const names = fam.featureNames().map((n) => n.slice(n.indexOf(":") + 1));
  const out: Array<Record<string, number>> = [];
  for (let r = 0; r < m.rows; r++) {
    const row: Record<string, number> = {};
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) row[names[m.indices[k]!]!] = m.data[k]!;
    out.push(row);
  }
  return out;
}

/** The non-zero signals of one message. */
export function signalsOfOne(family: string, example: Example, params: object = {}): Record<string, number> {
  return signalsOf(family, [example], params)[0]!;
}

/** Names of the signals that fired (non-zero). */
export function fired(family: string, example: Example, params: object = {}): string[] {
  return Object.keys(signalsOfOne(family, example, params)).sort();
}
