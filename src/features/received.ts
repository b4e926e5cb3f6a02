/**
 * Received headers → relay hops. Each mail server that handles a message prepends one Received
 * header, so the list reads newest (the recipient's own servers) to oldest (the origin). There is
 * no single format; the common ones are:
 *
 *   sendmail / Postfix  from HELO (rdns [1.2.3.4]) by host …; date
 *                       from HELO (rdns [1.2.3.4] (may be forged)) by …
 *   Exim                from rdns ([1.2.3.4] helo=HELO) by …
 *   qmail               from rdns (HELO helo) (1.2.3.4) by …
 *   fetchmail           from host [1.2.3.4] by localhost with POP3 …
 *
 * A hop keeps what the receiving server recorded about the client: the name it gave in HELO/EHLO,
 * the reverse-DNS name the server looked up, and the connecting IPv4 address.
 */
import { isReservedIPv4, parseIPv4, parseMailDate, type MailDate } from "./email-util.js";

export interface Hop {
  /** The name the client announced in HELO/EHLO (may be an IP literal "[1.2.3.4]"). */
  readonly helo: string | null;
  /** The reverse-DNS name the receiving server found for the client; null if none or "unknown". */
  readonly rdns: string | null;
  /** The server wrote "unknown" where the reverse-DNS name goes. */
  readonly rdnsUnknown: boolean;
  /** Connecting IPv4 address as a number, or -1. */
  readonly ip: number;
  /** sendmail's "(may be forged)": the reverse name does not resolve back to the IP. */
  readonly mayBeForged: boolean;
  /** The timestamp after the last ";". */
  readonly time: MailDate | null;
}

const FROM_CLAUSE = /^\s*from\s+([\s\S]*?)(?:\s+by\s+|;|$)/i;
const BRACKET_IP = /\[(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\]/;
/** The server's own note in parentheses comes first: in "from [10.0.0.5] (host [66.1.2.3])" the HELO is the first. */
const NOTED_IP = /\([^()]*?\[(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\]/;
const PAREN_IP = /\((\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\)/;
const HELO_KEYWORD = /\bhelo\s*=\s*([^\s)]+)|\(helo\s+([^\s)]+)\)/i;
const RDNS_BEFORE_IP = /\(([^()\s]*?)\s*\[\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\]/;

function clean(name: string | undefined | null): string | null {
  if (name === undefined || name === null) return null;
  const n = name
    .replace(/^[^@]*@/, "")
    .replace(/[()]/g, "")
    .toLowerCase();
  return n === "" ? null : n;
}

export function parseReceived(value: string): Hop {
  const semi = value.lastIndexOf(";");
  const time = semi >= 0 ? parseMailDate(value.slice(semi + 1)) : null;
  const from = FROM_CLAUSE.exec(value);
  if (from === null) return { helo: null, rdns: null, rdnsUnknown: false, ip: -1, mayBeForged: false, time };
  const clause = from[1]!;
  const ipMatch = NOTED_IP.exec(clause) ?? BRACKET_IP.exec(clause) ?? PAREN_IP.exec(clause);
  const first = /^(\S+)/.exec(clause)?.[1] ?? null;
  let ip = ipMatch === null ? -1 : parseIPv4(ipMatch[1]!);
  if (ip < 0 && first !== null) ip = parseIPv4(first.replace(/^\[|\]$/g, ""));
  let helo: string | null;
  let rdnsRaw: string | null;
  const kw = HELO_KEYWORD.exec(clause);
  if (kw !== null) {
    // Exim and qmail: the first word is the reverse name, the HELO is named.
    helo = kw[1] ?? kw[2]!;
    rdnsRaw = first !== null && !first.startsWith("[") && !first.startsWith("(") ? first : null;
  } else {
    // sendmail/Postfix: the first word is the HELO, the reverse name precedes the bracketed IP.
    helo = first;
    rdnsRaw = RDNS_BEFORE_IP.exec(clause)?.[1] ?? null;
  }
  let rdns = clean(rdnsRaw);
  const rdnsUnknown = rdns === "unknown";
  if (rdnsUnknown) rdns = null;
  const heloName = helo === null ? null : helo.replace(/[()]/g, "").toLowerCase() || null;
  return { helo: heloName, rdns, rdnsUnknown, ip, mayBeForged: /may be forged/i.test(clause), time };
}

/**
 * Where the outside world starts: the index of the newest hop whose client has a public IP.
 * Hops above it (index smaller) are the recipient's own delivery (localhost, the LAN, fetchmail);
 * it and everything below are the external path. Returns hops.length when no hop has a public IP.
 */
export function externalStart(hops: readonly Hop[]): number {
  for (let i = 0; i < hops.length; i++) {
    const ip = hops[i]!.ip;
    if (ip >= 0 && !isReservedIPv4(ip)) return i;
  }
  return hops.length;
}

/** "[1.2.3.4]" or "1.2.3.4" → the IPv4 number, else -1. */
export function ipLiteral(name: string): number {
  return parseIPv4(name.replace(/^\[|\]$/g, ""));
}

/**
 * Host names that ISPs give to dial-up, DSL, cable and DHCP clients (SpamAssassin's
 * HELO_DYNAMIC_* and RDNS_DYNAMIC rules): the IP spelled out in the name ("66-1-2-3", "c0a80101"),
 * or one of the words those naming schemes use.
 */
const DYNAMIC_WORDS =
  /(?:^|[.\d-])(?:a?dsl|dial(?:-?up|in)?|ppp(?:oe)?|dhcp|dyn(?:amic|ip)?|pool|cable|modem|cpe|hsd|catv|broadband)(?:[.\d-]|$)/;
const SPLIT_IP = /\d{1,3}[-._]\d{1,3}[-._]\d{1,3}[-._]\d{1,3}|\d{1,3}[-_]\d{1,3}[-_]\d{1,3}/;
const HEX_IP = /(?:^|[.-])[0-9a-f]{8}(?:[.-]|$)/;

export function looksDynamic(name: string): boolean {
  if (ipLiteral(name) >= 0) return false;
  const n = name.toLowerCase();
  // only the labels left of the last two: "ppp-1.example.com" is dynamic, "dsl.example" (a provider's domain) is not
  const labels = n.split(".");
  const host = labels.length > 2 ? labels.slice(0, -2).join(".") : labels.length === 1 ? n : "";
  if (host === "") return false;
  return SPLIT_IP.test(host) || HEX_IP.test(host) || DYNAMIC_WORDS.test(host);
}
