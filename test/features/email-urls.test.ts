import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { splitUrl } from "../../src/features/urls.js";
import { denseRows } from "./helpers.js";
import { fired, mail, signalsOf, signalsOfOne } from "./email-helpers.js";

/** A message whose only link is `href` with anchor text `text` (an HTML part), or a bare URL in plain text. */
function htmlLink(href: string, text: string): ReturnType<typeof mail> {
  return mail({
    set: { "Content-Type": "text/html; charset=us-ascii" },
    body: `<html><body><p>Please see <a href="${href}">${text}</a> today.</p></body></html>\n`,
  });
}
function bareLink(url: string): ReturnType<typeof mail> {
  return mail({ body: `Hello,\n\nthe notes are at ${url} as promised.\n` });
}

/** Signals other than the per-message link statistics every web link produces. */
function flags(example: ReturnType<typeof mail>, params: object = {}): string[] {
  const always = new Set(["link_count", "domain_count", "len_lt54", "len_54_75", "len_gt75"]);
  return fired("urls", example, params).filter((s) => !always.has(s));
}

describe("splitUrl", () => {
  it("takes the parts as written (no WHATWG normalisation of the host)", () => {
    expect(splitUrl("http://3232235777/x")).toEqual({ scheme: "http", userinfo: null, host: "3232235777", port: null });
    expect(splitUrl("HTTP://www.PayPal.com@evil.example.net:8080/login?x=1")).toEqual({
      scheme: "http",
      userinfo: "www.PayPal.com",
      host: "evil.example.net",
      port: "8080",
    });
    expect(splitUrl("http:\\\\ex%61mple.com\\a")).toEqual({
      scheme: "http",
      userinfo: null,
      host: "ex%61mple.com",
      port: null,
    });
    expect(splitUrl("www.example.com/page")).toEqual({
      scheme: "",
      userinfo: null,
      host: "www.example.com",
      port: null,
    });
    expect(splitUrl("mailto:bob@example.com")).toBeNull();
    expect(splitUrl("/relative/path")).toBeNull();
  });
});

describe("urls family", () => {
  it("a message without links fires nothing", () => {
    expect(signalsOfOne("urls", mail())).toEqual({});
  });

  it("a plain link gives counts and its length band only", () => {
    expect(signalsOfOne("urls", bareLink("http://www.example.org/minutes.html"))).toEqual({
      link_count: Math.log1p(1),
      domain_count: Math.log1p(1),
      len_lt54: 1,
    });
    const anchor = htmlLink("http://www.example.org/minutes.html", "the minutes");
    expect(flags(anchor)).toEqual([]);
  });

  it("counts links and distinct registrable domains (mail.x.co.uk and www.x.co.uk are one)", () => {
    const ex = mail({
      body: "see http://mail.example.co.uk/a and http://www.example.co.uk/b and http://other.org/c and http://other.org/d\n",
    });
    const s = signalsOfOne("urls", ex);
    expect([s.link_count, s.domain_count]).toEqual([Math.log1p(4), Math.log1p(2)]);
  });

  it("length bands are shares of the message's links (< 54, 54–75, > 75 characters)", () => {
    const short = "http://example.org/a"; // 20
    const mid = "http://example.org/" + "a".repeat(41); // 60
    const long = "http://example.org/" + "a".repeat(70); // 89
    const s = signalsOfOne("urls", mail({ body: `${short} ${mid} ${long} ${long}\n` }));
    expect([s.len_lt54, s.len_54_75, s.len_gt75]).toEqual([0.25, 0.25, 0.5]);
  });

  const cases: Array<[string, ReturnType<typeof mail>]> = [
    ["ip_host", bareLink("http://66.1.2.3/paypal/login.php")],
    ["decimal_host", bareLink("http://3232235777/offer")],
    ["hex_host", bareLink("http://0x42.0x1.0x2.0x3/offer")],
    ["userinfo", htmlLink("http://secure@login.example.net/", "your account")],
    ["escaped_host", bareLink("http://ex%61mple.net/offer")],
    ["port", bareLink("http://www.example.net:8080/offer")],
    ["subdomain_2", bareLink("http://a.b.example.net/x")],
    ["subdomain_3plus", bareLink("http://a.b.c.example.net/x")],
    ["hyphen_domain", bareLink("http://cheap-meds.net/x")],
    ["punycode", bareLink("http://xn--exmple-cua.com/x")],
    ["shortener", bareLink("http://tinyurl.com/abc12")],
    ["suspicious_tld", bareLink("http://deals.example.biz/x")],
    ["anchor_mismatch", htmlLink("http://evil.example.net/login", "www.bankofamerica.com")],
    ["https_anchor_http", htmlLink("http://www.example.org/login", "https://www.example.org/login")],
    ["javascript", htmlLink("javascript:void(window.open('x'))", "click")],
    ["mailto", htmlLink("mailto:remove@example.net", "unsubscribe")],
    ["redirect", bareLink("http://www.example.org/r?url=http://evil.example.net/")],
    ["brand_subdomain", bareLink("http://paypal.secure-login.example.net/x")],
  ];
  for (const [signal, ex] of cases) {
    it(`${signal} fires on a message built to show it`, () => {
      expect(flags(ex)).toContain(signal);
    });
  }

  it("mixed_script_host: a Cyrillic letter among Latin ones, IDN-encoded or not", () => {
    // "pаypal" with U+0430 CYRILLIC SMALL LETTER A
    expect(flags(bareLink("http://xn--pypal-4ve.com/x"))).toEqual(["mixed_script_host", "punycode"]);
    expect(flags(bareLink("http://p\u0430ypal.com/x"))).toEqual(["mixed_script_host"]);
    // all-Cyrillic and all-Latin hosts are not mixed
    expect(flags(bareLink("http://xn--e1afmkfd.xn--p1ai/x"))).toEqual(["punycode"]);
  });

  it("stays silent on the near misses", () => {
    const silent: Array<[string, ReturnType<typeof mail>]> = [
      ["www. is not a subdomain level", bareLink("http://www.example.net/x")],
      ["default port", bareLink("https://www.example.net:443/x")],
      ["'purchase' does not contain the brand 'chase'", bareLink("http://purchase.example.net/x")],
      ["the brand's own domain", bareLink("http://www.paypal.com/x")],
      ["anchor text naming the same site", htmlLink("http://clicks.example.com/t?id=1", "www.example.com")],
      ["anchor text naming no domain", htmlLink("http://evil.example.net/x", "version 1.2 notes")],
      ["a plain .com", bareLink("http://example.com/x")],
    ];
    for (const [why, ex] of silent) expect(flags(ex), why).toEqual([]);
  });

  it("the suspicious TLD list is configurable", () => {
    expect(flags(bareLink("http://deals.example.com/x"), { suspicious_tlds: ["com"] })).toEqual(["suspicious_tld"]);
    expect(flags(bareLink("http://deals.example.biz/x"), { suspicious_tlds: ["xyz"] })).toEqual([]);
  });

  it("domain_min_df learns link-domain columns from train only", () => {
    const train = [bareLink("http://a.example.com/1"), bareLink("http://b.example.com/2"), bareLink("http://x.org/3")];
    const fam = createFamily("urls", { domain_min_df: 2 });
    fam.fit(train);
    const names = fam.featureNames();
    expect(names.filter((n) => n.startsWith("urls:domain="))).toEqual(["urls:domain=example.com"]);
    const dev = [bareLink("http://example.com/"), bareLink("http://unseen.net/")];
    const rows = denseRows(fam.transform(dev));
    const col = names.indexOf("urls:domain=example.com");
    expect(rows.map((r) => r[col])).toEqual([1, 0]);
    // the saved state restores the same columns and values
    const restored = restoreFamily("urls", { domain_min_df: 2 }, JSON.parse(JSON.stringify(fam.state())));
    expect(restored.featureNames()).toEqual(names);
    expect(denseRows(restored.transform(dev))).toEqual(rows);
    expect(() => restoreFamily("urls", {}, fam.state())).toThrow(
      new StoreError("saved urls features are not usable: domain columns are present but domain_min_df is 0"),
    );
  });

  it("scales counts by their largest value on train (max-abs), and leaves flags at 1", () => {
    const train = [bareLink("http://a.org/1"), mail({ body: "http://a.org/1 http://b.org/2 http://c.org/3\n" })];
    const fam = createFamily("urls", {});
    fam.fit(train);
    const names = fam.featureNames();
    const dev = mail({ body: "http://66.1.2.3/x http://b.org/2 http://c.org/3 http://d.org/4 http://e.org/5\n" });
    const row = denseRows(fam.transform([dev]))[0]!;
    expect(row[names.indexOf("urls:link_count")]).toBeCloseTo(Math.log1p(5) / Math.log1p(3), 12);
    expect(row[names.indexOf("urls:ip_host")]).toBe(1); // never seen in train: scale 1
    expect(signalsOf("urls", train).map((r) => r.link_count)).toEqual([Math.log1p(1), Math.log1p(3)]);
  });
});
