/**
 * What the email families (routing, urls, spelling, html, headers) share: the parsed message of
 * an example (or an error a person can act on), header look-ups, addresses and their domains,
 * IPv4 classes, and RFC 5322 dates parsed the same way on every platform.
 */
import { getDomain, parse as parseHost } from "tldts";
import type { ParsedEmail } from "../data/email/types.js";
import type { Example } from "../data/example.js";
import { DataError } from "../errors.js";

/** The parsed message of an example; the email families need an email source. */
export function emailOf(ex: Example, specKey: string): ParsedEmail {
  if (ex.email === undefined) {
    throw new DataError(
      `${specKey}: example "${ex.id}" has no parsed email; this family reads raw messages ` +
        `(data.source spamassassin or eml), not csv/jsonl rows`,
      { where: ex.id },
    );
  }
  return ex.email;
}

/** All values of header `name` (lower-case), in message order. */
export function headerValues(email: ParsedEmail, name: string): string[] {
  const out: string[] = [];
  for (const h of email.headers) if (h.name === name) out.push(h.value);
  return out;
}

/** The first value of header `name` (lower-case), or null. */
export function firstHeader(email: ParsedEmail, name: string): string | null {
  for (const h of email.headers) if (h.name === name) return h.value;
  return null;
}

const ANGLE_ADDR = /<([^<>\s]*@[^<>\s]*)>/;
const BARE_ADDR = /([^\s<>()"',;:]+@[^\s<>()"',;:]+)/;

/** The mailbox of an address header ("Ann <ann@Example.COM>" → "ann@example.com"), or null. */
export function addressOf(value: string | null): string | null {
  if (value === null) return null;
  const m = ANGLE_ADDR.exec(value) ?? BARE_ADDR.exec(value);
  if (m === null) return null;
  return m[1]!.toLowerCase().replace(/[.>]+$/, "");
}

/** The domain part of an address header, lower-case, or null. */
export function addressDomain(value: string | null): string | null {
  const addr = addressOf(value);
  if (addr === null) return null;
  const domain = addr.slice(addr.lastIndexOf("@") + 1).replace(/^\[|\]$/g, "");
  return domain === "" ? null : domain;
}

const domainCache = new Map<string, string>();

/**
 * The registrable domain ("mail.example.co.uk" → "example.co.uk", by the Public Suffix List via
 * tldts); a host without one (an IP literal, "localhost") stands for itself.
 */
export function registrableDomain(host: string): string {
  let d = domainCache.get(host);
  if (d === undefined) {
    const lower = host.toLowerCase();
    d = getDomain(lower, { allowPrivateDomains: false, extractHostname: false }) ?? lower;
    if (domainCache.size > 200_000) domainCache.clear();
    domainCache.set(host, d);
  }
  return d;
}

export interface HostParts {
  /** Registrable domain, or null for an IP or a name without a public suffix. */
  readonly domain: string | null;
  /** Labels left of the registrable domain ("a.b" in "a.b.example.com"), "" when none. */
  readonly subdomain: string;
  /** Public suffix ("com", "co.uk"), or null. */
  readonly suffix: string | null;
  readonly isIp: boolean;
}

const hostCache = new Map<string, HostParts>();

export function hostParts(host: string): HostParts {
  let p = hostCache.get(host);
  if (p === undefined) {
    const r = parseHost(host.toLowerCase(), { allowPrivateDomains: false, extractHostname: false });
    p = { domain: r.domain, subdomain: r.subdomain ?? "", suffix: r.publicSuffix, isIp: r.isIp === true };
    if (hostCache.size > 200_000) hostCache.clear();
    hostCache.set(host, p);
  }
  return p;
}

// ── IPv4 ─────────────────────────────────────────────────────────────────────────────────────────

/** Dotted-quad IPv4 → 32-bit unsigned number, or -1 if `s` is not one. */
export function parseIPv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return -1;
  let n = 0;
  for (let k = 1; k <= 4; k++) {
    const o = Number(m[k]);
    if (o > 255) return -1;
    n = n * 256 + o;
  }
  return n;
}

/** [first address, prefix length] of the ranges that are not routable on the public internet (RFC 6890). */
const RESERVED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private (RFC 1918)
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 3], // multicast and reserved (224/4, 240/4)
];
const RESERVED_RANGES = RESERVED_V4.map(([base, bits]) => {
  const size = 2 ** (32 - bits);
  const start = parseIPv4(base);
  return [start, start + size - 1] as const;
});

/** True for a private, loopback, link-local, documentation, multicast or otherwise reserved IPv4. */
export function isReservedIPv4(ip: number): boolean {
  for (const [lo, hi] of RESERVED_RANGES) if (ip >= lo && ip <= hi) return true;
  return false;
}

// ── dates ────────────────────────────────────────────────────────────────────────────────────────

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** Zone names RFC 5322 §4.3 keeps (obsolete but common), in minutes east of UTC. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

const DATE =
  /(\d{1,2})[\s-]+([a-z]{3})[a-z]*[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\s*([+-]\d{4}|[a-z]{1,5}\b))?/i;

export type MailDate =
  | { readonly kind: "ok"; readonly ms: number }
  /** Looks like a date but cannot be one (day 31 of February, hour 25, year 1920). */
  | { readonly kind: "impossible" }
  /** Not in the RFC 5322 shape at all. */
  | { readonly kind: "unparsable" };

/**
 * An RFC 5322 date ("Thu, 22 Aug 2002 18:26:25 +0700 (ICT)") as UTC milliseconds. Two-digit years
 * follow RFC 5322 §4.3 (00–49 → 20xx, 50–99 → 19xx); an unknown zone name counts as UTC. Years
 * before 1980 or after 2099 are impossible for an email.
 */
export function parseMailDate(value: string): MailDate {
  const m = DATE.exec(value);
  if (m === null) return { kind: "unparsable" };
  const day = Number(m[1]);
  const month = MONTHS[m[2]!.toLowerCase()];
  if (month === undefined) return { kind: "unparsable" };
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  if (year < 1980 || year > 2099 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) {
    return { kind: "impossible" };
  }
  let offset = 0;
  const zone = m[7];
  if (zone !== undefined) {
    if (zone[0] === "+" || zone[0] === "-") {
      const hh = Number(zone.slice(1, 3));
      const mm = Number(zone.slice(3, 5));
      if (hh > 23 || mm > 59) return { kind: "impossible" };
      offset = (zone[0] === "-" ? -1 : 1) * (hh * 60 + mm);
    } else offset = ZONES[zone.toLowerCase()] ?? 0;
  }
  return { kind: "ok", ms: Date.UTC(year, month, day, hour, minute, second) - offset * 60_000 };
}
