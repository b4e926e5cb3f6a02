/**
 * The urls family (email.urls): phishing-URL signals over the message's links (HTML <a href> and
 * bare URLs in the text), after SpamAssassin's URI rules (20_uri_tests.cf, 25_url_shortener.cf,
 * the HTTPSMismatch plugin) and the phishing-website features of Mohammad, Thabtah & McCluskey.
 *
 *   link_count, domain_count          links; distinct registrable domains (Public Suffix List, tldts)
 *   ip_host, hex_host, decimal_host   http://1.2.3.4/, http://0x7f.1/ or octal, http://3232235777/
 *   userinfo                          http://user@host/ (the part before "@" is what the reader sees)
 *   escaped_host                      %-escapes in the host name
 *   port                              a port other than the scheme's own
 *   len_lt54, len_54_75, len_gt75     share of the links in each length band (edges configurable)
 *   subdomain_2, subdomain_3plus      subdomain labels under the registrable domain, "www." aside
 *   hyphen_domain                     "-" in the registrable domain
 *   punycode, mixed_script_host       an xn-- label; a host mixing Latin with Cyrillic/Greek letters
 *   shortener, suspicious_tld         a known URL shortener; a TLD on the configurable list
 *   anchor_mismatch                   anchor text shows one domain, the href goes to another
 *   https_anchor_http                 anchor text shows https://, the href is plain http
 *   javascript, mailto                javascript: links; mailto: links
 *   redirect                          "//" after the scheme, or a "=http" parameter (open redirector)
 *   brand_subdomain                   a brand name in the subdomain of a domain not the brand's
 *
 * With `domain_min_df` > 0 the family also learns, from train, one column per link domain
 * ("urls:domain=example.com").
 */
import { domainToUnicode } from "node:url";
import type { Example } from "../data/example.js";
import { StoreError } from "../errors.js";
import { urlsParamsSchema, type UrlsParams } from "../spec/schema.js";
import { isMixedScript } from "./confusables.js";
import { csrHstack, type CsrMatrix } from "./csr.js";
import { emailOf, hostParts, parseIPv4, registrableDomain } from "./email-util.js";
import { notFitted, type FeatureFamily, type FeatureFamilyDefinition } from "./family.js";
import { SignalFamily, type Signal } from "./signal-family.js";
import { TokenVocabulary } from "./token-vocabulary.js";

const PREFIX = "urls";
const SPEC_KEY = "features.urls";

export interface UrlParts {
  /** Lower-case scheme ("http"), "" when the link had none ("www.example.com"). */
  readonly scheme: string;
  readonly userinfo: string | null;
  /** Host as written (lower-cased, %-escapes kept). */
  readonly host: string;
  readonly port: string | null;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * The parts of a link the signals need, taken from the string as written (the WHATWG URL parser
 * would turn "http://3232235777/" into "http://192.168.1.1/" and unescape the host: exactly what
 * these signals look for). Null for links without an authority (mailto:, javascript:, relative).
 */
export function splitUrl(href: string): UrlParts | null {
  let s = href.trim();
  let scheme = "";
  const m = SCHEME.exec(s);
  if (m !== null) {
    scheme = m[1]!.toLowerCase();
    s = s.slice(m[0].length);
    // browsers accept any run of slashes and backslashes after http:
    const slashes = /^[/\\]*/.exec(s)![0].length;
    if (slashes === 0) return null;
    s = s.slice(slashes);
  } else if (!/^www\./i.test(s)) return null;
  const end = s.search(/[/?#\\]/);
  const authority = end < 0 ? s : s.slice(0, end);
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? null : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  let host = hostPort;
  let port: string | null = null;
  if (!hostPort.startsWith("[")) {
    const colon = hostPort.lastIndexOf(":");
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  host = host.toLowerCase().replace(/\.$/, "");
  if (host === "") return null;
  return { scheme, userinfo, host, port };
}

const DEFAULT_PORT: Record<string, string> = { http: "80", https: "443", ftp: "21", "": "80" };
/** A dotted host whose parts are hex (0x..) or octal (leading 0) numbers: an IP in disguise. */
const HEX_OR_OCTAL_HOST = /^(?:(?:0x[0-9a-f]*|0[0-7]+|\d+)\.){0,3}(?:0x[0-9a-f]*|0[0-7]+|\d+)$/;
const DOMAIN_IN_TEXT = /(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![a-z0-9-])/i;

function lengthBandNames([lo, hi]: readonly [number, number]): [string, string, string] {
  return [`len_lt${lo}`, `len_${lo}_${hi}`, `len_gt${hi}`];
}

export function urlsSignals(params: UrlsParams): Signal[] {
  const flag = (name: string): Signal => ({ name, kind: "flag" });
  return [
    { name: "link_count", kind: "count" },
    { name: "domain_count", kind: "count" },
    ...["ip_host", "hex_host", "decimal_host", "userinfo", "escaped_host", "port"].map(flag),
    ...lengthBandNames(params.length_bands).map((name): Signal => ({ name, kind: "ratio" })),
    ...[
      "subdomain_2",
      "subdomain_3plus",
      "hyphen_domain",
      "punycode",
      "mixed_script_host",
      "shortener",
      "suspicious_tld",
      "anchor_mismatch",
      "https_anchor_http",
      "javascript",
      "mailto",
      "redirect",
      "brand_subdomain",
    ].map(flag),
  ];
}

/** Host → the signals that depend on the host alone (cached: newsletters repeat one host many times). */
interface HostSignals {
  readonly domain: string;
  readonly ip: boolean;
  readonly hex: boolean;
  readonly decimal: boolean;
  readonly escaped: boolean;
  readonly subdomainDepth: number;
  readonly hyphen: boolean;
  readonly punycode: boolean;
  readonly mixedScript: boolean;
  readonly shortener: boolean;
  readonly suspiciousTld: boolean;
  readonly brandSubdomain: boolean;
}

export function urlsExtractor(params: UrlsParams): (ex: Example, row: Float64Array) => void {
  const names = urlsSignals(params).map((s) => s.name);
  const c = Object.fromEntries(names.map((n, i) => [n, i])) as Record<string, number>;
  const [bandLo, bandMid, bandHi] = lengthBandNames(params.length_bands).map((n) => c[n]!) as [number, number, number];
  const [edgeLo, edgeHi] = params.length_bands;
  const shorteners = new Set(params.shorteners.map((s) => s.toLowerCase()));
  const tlds = new Set(params.suspicious_tlds.map((s) => s.toLowerCase().replace(/^\./, "")));
  const brands = params.brands.map((b) => b.toLowerCase());
  const cache = new Map<string, HostSignals>();

  const hostSignals = (host: string): HostSignals => {
    let h = cache.get(host);
    if (h !== undefined) return h;
    const escaped = host.includes("%");
    const ip = parseIPv4(host) >= 0;
    const decimal = /^\d{7,}$/.test(host);
    const hex = !ip && !decimal && HEX_OR_OCTAL_HOST.test(host) && /0x|(?:^|\.)0\d/.test(host);
    const parts = ip || decimal || hex ? null : hostParts(host);
    const domain = parts?.domain ?? host;
    const sub = parts === null ? "" : parts.subdomain.replace(/^www\d*(?:\.|$)/, "");
    const subLabels = sub === "" ? 0 : sub.split(".").length;
    // whole tokens only: "purchase" does not contain the brand "chase"
    const subTokens = sub === "" ? [] : sub.split(/[.\-_]/);
    const suffix = parts?.suffix ?? "";
    const tld = suffix.slice(suffix.lastIndexOf(".") + 1);
    let unicode = host;
    const punycode = /(?:^|\.)xn--/.test(host);
    if (punycode) unicode = domainToUnicode(host) || host;
    h = {
      domain,
      ip,
      hex,
      decimal,
      escaped,
      subdomainDepth: subLabels,
      // a punycode label has "-" in its ASCII form ("xn--pypal-4ve"): look at what the reader sees
      hyphen: parts !== null && (punycode ? domainToUnicode(domain) : domain).includes("-"),
      punycode,
      mixedScript: unicode.split(".").some(isMixedScript),
      shortener: shorteners.has(host) || shorteners.has(domain),
      suspiciousTld: tld !== "" && tlds.has(tld),
      brandSubdomain: sub !== "" && brands.some((b) => subTokens.includes(b) && !domain.includes(b)),
    };
    if (cache.size > 100_000) cache.clear();
    cache.set(host, h);
    return h;
  };

  return (ex, row) => {
    const email = emailOf(ex, SPEC_KEY);
    const domains = new Set<string>();
    let web = 0;
    let lo = 0;
    let mid = 0;
    let hi = 0;
    for (const link of email.links) {
      const href = link.href.trim();
      const lower = href.slice(0, 16).toLowerCase();
      if (lower.startsWith("javascript:")) {
        row[c.javascript!] = 1;
        continue;
      }
      if (lower.startsWith("mailto:")) {
        row[c.mailto!] = 1;
        continue;
      }
      const url = splitUrl(href);
      if (url === null) continue;
      web++;
      const len = href.length;
      if (len < edgeLo) lo++;
      else if (len <= edgeHi) mid++;
      else hi++;
      const h = hostSignals(url.host);
      domains.add(h.domain);
      if (h.ip) row[c.ip_host!] = 1;
      if (h.hex) row[c.hex_host!] = 1;
      if (h.decimal) row[c.decimal_host!] = 1;
      if (h.escaped) row[c.escaped_host!] = 1;
      if (url.userinfo !== null) row[c.userinfo!] = 1;
      if (url.port !== null && url.port !== "" && url.port !== DEFAULT_PORT[url.scheme]) row[c.port!] = 1;
      if (h.subdomainDepth === 2) row[c.subdomain_2!] = 1;
      else if (h.subdomainDepth >= 3) row[c.subdomain_3plus!] = 1;
      if (h.hyphen) row[c.hyphen_domain!] = 1;
      if (h.punycode) row[c.punycode!] = 1;
      if (h.mixedScript) row[c.mixed_script_host!] = 1;
      if (h.shortener) row[c.shortener!] = 1;
      if (h.suspiciousTld) row[c.suspicious_tld!] = 1;
      if (h.brandSubdomain) row[c.brand_subdomain!] = 1;
      if (href.indexOf("//", 8) >= 0 || /[?&][^=&]*=(?:https?:|https?%3a)/i.test(href)) row[c.redirect!] = 1;
      // anchor text (HTML links only: a bare URL is its own text)
      const text = link.text.trim();
      if (text !== "" && text !== link.href) {
        if (/^\s*https:\/\//i.test(text) && url.scheme === "http") row[c.https_anchor_http!] = 1;
        const shown = DOMAIN_IN_TEXT.exec(text);
        if (shown !== null) {
          const shownHost = shown[1]!.toLowerCase();
          const shownParts = hostParts(shownHost);
          // only text that names a real domain (known public suffix): "version 1.2" and "file.txt" are not
          if (shownParts.domain !== null && shownParts.suffix !== null && shownParts.suffix.length >= 2) {
            if (registrableDomain(shownHost) !== h.domain) row[c.anchor_mismatch!] = 1;
          }
        }
      }
    }
    row[c.link_count!] = web;
    row[c.domain_count!] = domains.size;
    if (web > 0) {
      row[bandLo] = lo / web;
      row[bandMid] = mid / web;
      row[bandHi] = hi / web;
    }
  };
}

/** The registrable domains of an example's web links (the optional per-domain columns). */
function linkDomains(ex: Example): string[] {
  const out: string[] = [];
  for (const link of emailOf(ex, SPEC_KEY).links) {
    const url = splitUrl(link.href);
    if (url === null) continue;
    const parts = hostParts(url.host);
    out.push(`domain=${parts.domain ?? url.host}`);
  }
  return out;
}

export interface UrlsState {
  readonly signals: unknown;
  readonly domains: string[] | null;
}

/** Signals, plus (when `domain_min_df` > 0) one column per link domain learned from train. */
export class UrlsFamily implements FeatureFamily {
  readonly name = "urls";
  private readonly signals: SignalFamily;
  private domains: TokenVocabulary | null = null;
  private fitted = false;

  constructor(private readonly params: UrlsParams) {
    this.signals = new SignalFamily("urls", PREFIX, urlsSignals(params), urlsExtractor(params), params.scale);
  }

  fit(train: readonly Example[]): void {
    this.signals.fit(train);
    this.fitDomains(train);
    this.fitted = true;
  }

  fitTransform(train: readonly Example[]): CsrMatrix {
    const block = this.signals.fitTransform(train);
    this.fitDomains(train);
    this.fitted = true;
    return this.domains === null ? block : csrHstack([block, this.domainBlock(train)]);
  }

  transform(examples: readonly Example[]): CsrMatrix {
    if (!this.fitted) throw notFitted(this.name);
    const block = this.signals.transform(examples);
    return this.domains === null ? block : csrHstack([block, this.domainBlock(examples)]);
  }

  featureNames(): string[] {
    if (!this.fitted) throw notFitted(this.name);
    const names = this.signals.featureNames();
    if (this.domains !== null) for (const t of this.domains.terms) names.push(`${PREFIX}:${t}`);
    return names;
  }

  state(): UrlsState {
    if (!this.fitted) throw notFitted(this.name);
    return { signals: this.signals.state(), domains: this.domains === null ? null : [...this.domains.terms] };
  }

  static fromState(params: UrlsParams, state: unknown): UrlsFamily {
    const s = state as Partial<UrlsState> | null;
    if (s === null || typeof s !== "object" || !("signals" in s)) {
      throw new StoreError("saved urls features are not usable: expected { signals, domains }");
    }
    const family = new UrlsFamily(params);
    family.signals.restoreState(s.signals);
    if (params.domain_min_df > 0 !== (s.domains !== null && s.domains !== undefined)) {
      throw new StoreError(
        `saved urls features are not usable: domain columns are ${s.domains ? "present" : "absent"} ` +
          `but domain_min_df is ${params.domain_min_df}`,
      );
    }
    family.domains = params.domain_min_df > 0 ? TokenVocabulary.restore(s.domains, "urls domain") : null;
    family.fitted = true;
    return family;
  }

  private fitDomains(train: readonly Example[]): void {
    if (this.params.domain_min_df > 0) {
      this.domains = TokenVocabulary.fit(train.map(linkDomains), this.params.domain_min_df);
    }
  }

  private domainBlock(examples: readonly Example[]): CsrMatrix {
    return this.domains!.transform(examples.map(linkDomains), "binary");
  }
}

export const urlsFamily: FeatureFamilyDefinition<UrlsParams> = {
  name: "urls",
  prefix: PREFIX,
  paramsSchema: urlsParamsSchema,
  create: (params) => new UrlsFamily(params),
  restore: (params, state) => UrlsFamily.fromState(params, state),
};
