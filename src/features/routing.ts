/**
 * The routing family (email.routing): signals from the Received chain and the envelope headers, in
 * the spirit of SpamAssassin's header rules (20_fake_helo_tests, 20_dynrdns, 20_ratware,
 * 20_freemail, DATE_IN_PAST/FUTURE) but without DNS look-ups: everything comes from the message.
 *
 *   hop_count, external_hops     Received headers, and those from the first public-IP client down
 *   helo_dynamic, rdns_dynamic   an external relay's HELO / reverse name looks like a dial-up/DSL host
 *   helo_ip_literal              an external relay said HELO with an IP ("[1.2.3.4]")
 *   helo_ip_mismatch             … and that IP is not the one it connected from
 *   helo_rdns_mismatch           HELO names one domain, reverse DNS another
 *   rdns_missing                 a relay with an IP but no reverse name ("unknown")
 *   may_be_forged                sendmail's "(may be forged)"
 *   private_ip_external          a private/reserved (not loopback) IP below the first public relay
 *   date_missing, date_invalid   no Date header; one that is not a date or cannot be one
 *   date_past_A_Bh, …            Date earlier than the first Received time by A–B hours (bands)
 *   date_future_A_Bh, …          Date later than the first Received time by A–B hours
 *   msgid_missing, msgid_malformed
 *   returnpath_mismatch, replyto_mismatch, sender_mismatch
 *                                registrable domain differs from the From domain
 *   freemail_from, freemail_replyto   a free-mail provider; Reply-To free-mail and not the From address
 *   mailer_present, mailer_forged_outlook   X-Mailer/User-Agent; Outlook claimed, Message-ID not Outlook's
 *   list_id, list_unsubscribe, precedence_bulk, precedence_list   mailing-list markers
 */
import type { Example } from "../data/example.js";
import { routingParamsSchema, type RoutingParams } from "../spec/schema.js";
import {
  addressDomain,
  addressOf,
  emailOf,
  firstHeader,
  headerValues,
  isReservedIPv4,
  parseMailDate,
  registrableDomain,
} from "./email-util.js";
import type { FeatureFamilyDefinition } from "./family.js";
import { externalStart, ipLiteral, looksDynamic, parseReceived, type Hop } from "./received.js";
import { SignalFamily, type Signal } from "./signal-family.js";

const PREFIX = "routing";
const SPEC_KEY = "features.routing";
const HOUR = 3_600_000;
const LOOPBACK = (ip: number): boolean => ip >>> 24 === 127;

/**
 * Message-IDs that Windows Outlook and Outlook Express write: "<000b11a65aad$8587c2b3$3bb78ec3@host>",
 * and Outlook 2000 in Internet-Mail-Only mode: 28 letters A–P, ".", the user ("<ILAHJNJ…KAA.gregg@host>").
 * (The Macintosh editions write other forms and are not checked.)
 */
const OUTLOOK_MSGID = /^<(?:[0-9a-f]{12}\$[0-9a-f]{8}\$[0-9a-f]{8}|[A-P]{28}\.[^@<>]+)@/i;
const MSGID = /^\s*<[^<>@\s]+@[^<>@\s]+>\s*$/;

function skewBandNames(bands: readonly number[], dir: "past" | "future"): string[] {
  return bands.map((lo, k) => {
    const hi = bands[k + 1];
    return hi === undefined ? `date_${dir}_gt${lo}h` : `date_${dir}_${lo}_${hi}h`;
  });
}

export function routingSignals(params: RoutingParams): Signal[] {
  const flag = (name: string): Signal => ({ name, kind: "flag" });
  return [
    { name: "hop_count", kind: "count" },
    { name: "external_hops", kind: "count" },
    ...[
      "helo_dynamic",
      "rdns_dynamic",
      "helo_ip_literal",
      "helo_ip_mismatch",
      "helo_rdns_mismatch",
      "rdns_missing",
      "may_be_forged",
      "private_ip_external",
      "date_missing",
      "date_invalid",
      ...skewBandNames(params.date_skew_hours, "past"),
      ...skewBandNames(params.date_skew_hours, "future"),
      "msgid_missing",
      "msgid_malformed",
      "returnpath_mismatch",
      "replyto_mismatch",
      "sender_mismatch",
      "freemail_from",
      "freemail_replyto",
      "mailer_present",
      "mailer_forged_outlook",
      "list_id",
      "list_unsubscribe",
      "precedence_bulk",
      "precedence_list",
    ].map(flag),
  ];
}

/** The earliest parseable Received time (the bottom-most hop that has one). */
function firstReceivedMs(hops: readonly Hop[]): number | null {
  for (let i = hops.length - 1; i >= 0; i--) {
    const t = hops[i]!.time;
    if (t !== null && t.kind === "ok") return t.ms;
  }
  return null;
}

function domainOfHeader(value: string | null): string | null {
  const d = addressDomain(value);
  return d === null ? null : registrableDomain(d);
}

export function routingExtractor(params: RoutingParams): (ex: Example, row: Float64Array) => void {
  const names = routingSignals(params).map((s) => s.name);
  const col = (name: string): number => names.indexOf(name);
  const bands = params.date_skew_hours;
  const pastCols = skewBandNames(bands, "past").map(col);
  const futureCols = skewBandNames(bands, "future").map(col);
  const freemail = new Set(params.freemail_domains.map((d) => d.toLowerCase()));
  const c = Object.fromEntries(names.map((n, i) => [n, i])) as Record<string, number>;

  return (ex, row) => {
    const email = emailOf(ex, SPEC_KEY);
    const hops = headerValues(email, "received").map(parseReceived);
    row[c.hop_count!] = hops.length;
    const start = externalStart(hops);
    row[c.external_hops!] = hops.length - start;
    for (let i = start; i < hops.length; i++) {
      const hop = hops[i]!;
      const heloIp = hop.helo === null ? -1 : ipLiteral(hop.helo);
      if (hop.helo !== null && looksDynamic(hop.helo)) row[c.helo_dynamic!] = 1;
      if (hop.rdns !== null && looksDynamic(hop.rdns)) row[c.rdns_dynamic!] = 1;
      if (heloIp >= 0) {
        row[c.helo_ip_literal!] = 1;
        if (hop.ip >= 0 && heloIp !== hop.ip) row[c.helo_ip_mismatch!] = 1;
      } else if (hop.helo !== null && hop.rdns !== null && hop.helo.includes(".")) {
        if (registrableDomain(hop.helo) !== registrableDomain(hop.rdns)) row[c.helo_rdns_mismatch!] = 1;
      }
      if (hop.ip >= 0 && !LOOPBACK(hop.ip)) {
        if (hop.rdns === null) row[c.rdns_missing!] = 1;
        if (i > start && isReservedIPv4(hop.ip)) row[c.private_ip_external!] = 1;
      }
      if (hop.mayBeForged) row[c.may_be_forged!] = 1;
    }

    if (email.date === null) row[c.date_missing!] = 1;
    else {
      const date = parseMailDate(email.date);
      if (date.kind !== "ok") row[c.date_invalid!] = 1;
      else {
        const received = firstReceivedMs(hops);
        if (received !== null) {
          const skewH = (received - date.ms) / HOUR;
          const cols = skewH >= 0 ? pastCols : futureCols;
          const abs = Math.abs(skewH);
          for (let k = bands.length - 1; k >= 0; k--) {
            if (abs >= bands[k]!) {
              row[cols[k]!] = 1;
              break;
            }
          }
        }
      }
    }

    if (email.messageId === null) row[c.msgid_missing!] = 1;
    else if (!MSGID.test(email.messageId)) row[c.msgid_malformed!] = 1;

    const from = firstHeader(email, "from");
    const fromDomain = domainOfHeader(from);
    const replyTo = firstHeader(email, "reply-to");
    if (fromDomain !== null) {
      const mismatch = (header: string, column: number): void => {
        const d = domainOfHeader(firstHeader(email, header));
        if (d !== null && d !== fromDomain) row[column] = 1;
      };
      mismatch("return-path", c.returnpath_mismatch!);
      mismatch("reply-to", c.replyto_mismatch!);
      mismatch("sender", c.sender_mismatch!);
      if (freemail.has(fromDomain)) row[c.freemail_from!] = 1;
    }
    const replyDomain = domainOfHeader(replyTo);
    if (replyDomain !== null && freemail.has(replyDomain) && addressOf(replyTo) !== addressOf(from)) {
      row[c.freemail_replyto!] = 1;
    }

    const mailer = firstHeader(email, "x-mailer") ?? firstHeader(email, "user-agent");
    if (mailer !== null) {
      row[c.mailer_present!] = 1;
      const outlook = /outlook/i.test(mailer) && !/macintosh|\bmac\b/i.test(mailer);
      if (outlook && (email.messageId === null || !OUTLOOK_MSGID.test(email.messageId.trim()))) {
        row[c.mailer_forged_outlook!] = 1;
      }
    }
    if (firstHeader(email, "list-id") !== null) row[c.list_id!] = 1;
    if (firstHeader(email, "list-unsubscribe") !== null) row[c.list_unsubscribe!] = 1;
    const precedence = firstHeader(email, "precedence")?.trim().toLowerCase() ?? null;
    if (precedence === "bulk" || precedence === "junk") row[c.precedence_bulk!] = 1;
    else if (precedence === "list") row[c.precedence_list!] = 1;
  };
}

export const routingFamily: FeatureFamilyDefinition<RoutingParams> = {
  name: "routing",
  prefix: PREFIX,
  paramsSchema: routingParamsSchema,
  create: (params) =>
    new SignalFamily("routing", PREFIX, routingSignals(params), routingExtractor(params), params.scale),
  restore: (params, state) =>
    new SignalFamily("routing", PREFIX, routingSignals(params), routingExtractor(params), params.scale).restoreState(
      state,
    ),
};
