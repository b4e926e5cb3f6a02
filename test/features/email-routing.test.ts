import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { parseMailDate } from "../../src/features/email-util.js";
import { createFamily } from "../../src/features/registry.js";
import { looksDynamic, parseReceived } from "../../src/features/received.js";
import { example } from "./helpers.js";
import { fired, mail, signalsOfOne } from "./email-helpers.js";

const IP = (s: string): number => s.split(".").reduce((n, o) => n * 256 + Number(o), 0);

/** The clean message's Received lines with the external relay's line replaced. */
function withRelay(fromClause: string): Record<string, string[]> {
  return {
    Received: [
      "from localhost (localhost [127.0.0.1]) by mx.recipient.net (Postfix); Thu, 22 Aug 2002 12:36:20 +0100",
      `${fromClause} by mx.recipient.net (8.11.6/8.11.6) with ESMTP id g7; Thu, 22 Aug 2002 12:34:53 +0100`,
    ],
  };
}

describe("parseReceived", () => {
  it("reads the HELO, reverse name and IP of sendmail/Postfix, Exim, qmail and fetchmail lines", () => {
    const cases: Array<[string, { helo: string | null; rdns: string | null; ip: number }]> = [
      [
        "from delta.cs.mu.OZ.AU (delta.coe.psu.ac.th [172.30.0.98]) by ratree.psu.ac.th (8.11.6/8.11.6) with ESMTP id g7; Thu, 22 Aug 2002 18:32:40 +0700 (ICT)",
        { helo: "delta.cs.mu.oz.au", rdns: "delta.coe.psu.ac.th", ip: IP("172.30.0.98") },
      ],
      [
        "from usw-sf-list1-b.sourceforge.net ([10.3.1.13] helo=usw-sf-list1.sourceforge.net) by usw-sf-list2.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 17tTks-0007kN-00; Mon, 23 Sep 2002 07:00:06 -0700",
        { helo: "usw-sf-list1.sourceforge.net", rdns: "usw-sf-list1-b.sourceforge.net", ip: IP("10.3.1.13") },
      ],
      [
        "from ts04-114.dublin.indigo.ie (HELO spamassassin.taint.org) (194.125.148.241) by relay05.indigo.ie (qp 23892) with SMTP; 23 Sep 2002 13:59:44 -0000",
        { helo: "spamassassin.taint.org", rdns: "ts04-114.dublin.indigo.ie", ip: IP("194.125.148.241") },
      ],
      [
        "from mail.webnote.net [193.120.211.219] by localhost with POP3 (fetchmail-5.9.0) for jm@localhost (single-drop); Tue, 06 Aug 2002 10:53:34 +0100 (IST)",
        { helo: "mail.webnote.net", rdns: null, ip: IP("193.120.211.219") },
      ],
      [
        "from lugh (root@localhost [127.0.0.1]) by lugh.tuatha.org (8.9.3/8.9.3) with ESMTP id LAA03793; Fri, 9 Aug 2002 11:51:21 +0100",
        { helo: "lugh", rdns: "localhost", ip: IP("127.0.0.1") },
      ],
    ];
    for (const [line, want] of cases) {
      const hop = parseReceived(line);
      expect({ helo: hop.helo, rdns: hop.rdns, ip: hop.ip }, line).toEqual(want);
    }
  });

  it("reads the time after the last semicolon, flags (may be forged) and unknown reverse names", () => {
    const hop = parseReceived(
      "from 100t1.com.tw (m1.100t1.com.tw [211.72.146.157] (may be forged)) by webnote.net (8.9.3/8.9.3) with ESMTP id EAA07010; Sat, 3 Aug 2002 04:24:18 +0100",
    );
    expect(hop.mayBeForged).toBe(true);
    expect(hop.time).toEqual({ kind: "ok", ms: Date.UTC(2002, 7, 3, 3, 24, 18) });
    const unknown = parseReceived(
      "from x.example.com (unknown [66.1.2.3]) by mx.example.net; 1 Jan 2003 00:00:00 +0000",
    );
    expect([unknown.rdns, unknown.rdnsUnknown, unknown.mayBeForged]).toEqual([null, true, false]);
    const local = parseReceived("(qmail 23892 invoked from network); 23 Sep 2002 13:59:44 -0000");
    expect([local.helo, local.ip]).toEqual([null, -1]);
  });
});

describe("looksDynamic", () => {
  it("spots dial-up, DSL, cable and DHCP names and IPs spelled out in host names", () => {
    for (const name of [
      "adsl-66-120-1-2.dsl.snfc21.pacbell.net",
      "c-24-1-2-3.hsd1.ma.comcast.net",
      "ppp-12.isp.example.com",
      "dhcp.office.example.com",
      "pool.isp.example.net",
      "c0a80101.isp.example.net",
      "66-1-2-3.example.net",
    ]) {
      expect(looksDynamic(name), name).toBe(true);
    }
  });

  it("leaves server names, the provider's own domain and IP literals alone", () => {
    for (const name of [
      "mail.example.org",
      "mail.dsl-provider.com",
      "dsl.example",
      "smtp0552.mail.yahoo.com",
      "host66.insuranceiq.com",
      "[66.1.2.3]",
      "localhost",
    ]) {
      expect(looksDynamic(name), name).toBe(false);
    }
  });
});

describe("parseMailDate", () => {
  it("parses RFC 5322 dates with numeric and named zones and two-digit years", () => {
    expect(parseMailDate("Thu, 22 Aug 2002 18:26:25 +0700")).toEqual({
      kind: "ok",
      ms: Date.UTC(2002, 7, 22, 11, 26, 25),
    });
    expect(parseMailDate("Fri, 17 May 2002 19:21:06 -0400 (EDT)")).toEqual({
      kind: "ok",
      ms: Date.UTC(2002, 4, 17, 23, 21, 6),
    });
    expect(parseMailDate("17 May 02 19:21 EDT")).toEqual({ kind: "ok", ms: Date.UTC(2002, 4, 17, 23, 21, 0) });
  });

  it("tells impossible dates from text that is no date at all", () => {
    expect(parseMailDate("Thu, 31 Feb 2002 10:00:00 +0000")).toEqual({ kind: "impossible" });
    expect(parseMailDate("Mon, 12 Aug 2002 25:00:00 +0000")).toEqual({ kind: "impossible" });
    expect(parseMailDate("Mon, 12 Aug 1901 10:00:00 +0000")).toEqual({ kind: "impossible" });
    expect(parseMailDate("yesterday afternoon")).toEqual({ kind: "unparsable" });
  });
});

describe("routing family", () => {
  it("a clean message fires only its hop counts", () => {
    expect(signalsOfOne("routing", mail())).toEqual({ hop_count: Math.log1p(3), external_hops: Math.log1p(2) });
  });

  const cases: Array<[string, Parameters<typeof mail>[0]]> = [
    ["helo_dynamic", { set: withRelay("from adsl-66-1-2-3.dsl.isp.net (mail.isp.net [66.1.2.3])") }],
    ["rdns_dynamic", { set: withRelay("from mail.comcast.net (c-24-1-2-3.hsd1.ma.comcast.net [24.1.2.3])") }],
    ["helo_ip_literal", { set: withRelay("from [66.1.2.3] (mail.isp.net [66.1.2.3])") }],
    ["rdns_missing", { set: withRelay("from mail.isp.net (unknown [66.1.2.3])") }],
    ["may_be_forged", { set: withRelay("from mail.isp.net (mail.isp.net [66.1.2.3] (may be forged))") }],
    ["helo_rdns_mismatch", { set: withRelay("from smtp0552.mail.yahoo.com (relay.other.net [61.146.52.106])") }],
    ["date_missing", { set: { Date: null } }],
    ["date_invalid", { set: { Date: "Thu, 31 Feb 2002 10:00:00 +0000" } }],
    ["date_past_3_24h", { set: { Date: "Wed, 21 Aug 2002 23:00:00 -0400" } }],
    ["date_past_24_96h", { set: { Date: "Tue, 20 Aug 2002 07:00:00 -0400" } }],
    ["date_past_gt96h", { set: { Date: "Thu, 15 Aug 2002 07:00:00 -0400" } }],
    ["date_future_3_24h", { set: { Date: "Thu, 22 Aug 2002 15:00:00 -0400" } }],
    ["date_future_gt96h", { set: { Date: "Thu, 29 Aug 2002 15:00:00 -0400" } }],
    ["msgid_missing", { set: { "Message-ID": null } }],
    ["msgid_malformed", { set: { "Message-ID": "12345.example" } }],
    ["returnpath_mismatch", { set: { "Return-Path": "<bounce@lists.other.com>" } }],
    ["replyto_mismatch", { set: { "Reply-To": "orders@other.com" } }],
    ["sender_mismatch", { set: { Sender: "owner-list@other.com" } }],
    ["list_id", { set: { "List-Id": "<talk.lists.example.org>" } }],
    ["list_unsubscribe", { set: { "List-Unsubscribe": "<mailto:talk-request@lists.example.org>" } }],
    ["precedence_bulk", { set: { Precedence: "bulk" } }],
    ["precedence_list", { set: { Precedence: "list" } }],
  ];
  for (const [signal, opts] of cases) {
    it(`${signal} fires on a message built to show it, and only it`, () => {
      expect(fired("routing", mail(opts))).toEqual(["external_hops", "hop_count", signal].sort());
    });
  }

  it("helo_ip_mismatch: the HELO literal names another IP than the connection's", () => {
    const f = fired("routing", mail({ set: withRelay("from [10.0.0.5] (mail.isp.net [66.1.2.3])") }));
    expect(f).toContain("helo_ip_mismatch");
    expect(f).toContain("helo_ip_literal");
  });

  it("private_ip_external: a LAN address below the first public relay, but not loopback", () => {
    const lan = "from pc5 (pc5.lan [192.168.1.5]) by desk.example.org (Postfix); Thu, 22 Aug 2002 07:34:05 -0400";
    const loop = "from desk (localhost [127.0.0.1]) by desk.example.org (Postfix); Thu, 22 Aug 2002 07:34:05 -0400";
    const received = (bottom: string): string[] => [
      "from localhost (localhost [127.0.0.1]) by mx.recipient.net (Postfix); Thu, 22 Aug 2002 12:36:20 +0100",
      "from mail.example.org (mail.example.org [66.187.233.211]) by mx.recipient.net; Thu, 22 Aug 2002 12:34:53 +0100",
      "from desk.example.org (desk.example.org [66.187.233.20]) by mail.example.org; Thu, 22 Aug 2002 07:34:10 -0400",
      bottom,
    ];
    expect(fired("routing", mail({ set: { Received: received(lan) } }))).toContain("private_ip_external");
    expect(fired("routing", mail({ set: { Received: received(loop) } }))).not.toContain("private_ip_external");
  });

  it("freemail_from and freemail_replyto; a Reply-To equal to the free-mail From is not a forgery", () => {
    const from = mail({ set: { From: "Win <winner77@hotmail.com>", "Return-Path": "<winner77@hotmail.com>" } });
    expect(fired("routing", from)).toContain("freemail_from");
    const reply = fired("routing", mail({ set: { "Reply-To": "claims@yahoo.com" } }));
    expect(reply).toContain("freemail_replyto");
    const same = mail({
      set: { From: "Bo <bo@yahoo.com>", "Return-Path": "<bo@yahoo.com>", "Reply-To": "bo@yahoo.com" },
    });
    expect(fired("routing", same)).not.toContain("freemail_replyto");
    expect(fired("routing", mail({ set: { "Reply-To": "alice@example.org" } }))).not.toContain("freemail_replyto");
  });

  it("mailer_forged_outlook: Outlook claimed with a Message-ID Outlook never writes", () => {
    const forged = mail({ set: { "X-Mailer": "Microsoft Outlook Express 6.00.2600.0000" } });
    expect(fired("routing", forged)).toEqual(["external_hops", "hop_count", "mailer_forged_outlook", "mailer_present"]);
    const genuine = mail({
      set: {
        "X-Mailer": "Microsoft Outlook Express 6.00.2600.0000",
        "Message-ID": "<000b11a65aad$8587c2b3$3bb78ec3@ubrjup>",
      },
    });
    const imo = mail({
      set: {
        "X-Mailer": "Microsoft Outlook IMO, Build 9.0.2416 (9.0.2911.0)",
        "Message-ID": "<ILAHJNJAPALMAAKNIAKAEEAKCAAA.gregg@example.org>",
      },
    });
    const mac = mail({ set: { "X-Mailer": "Microsoft-Outlook-Express-Macintosh-Edition/5.02.2022" } });
    const mutt = mail({ set: { "User-Agent": "Mutt/1.4i" } });
    for (const ok of [genuine, imo, mac, mutt]) {
      expect(fired("routing", ok)).toEqual(["external_hops", "hop_count", "mailer_present"]);
    }
  });

  it("custom date skew bands name their columns", () => {
    const fam = createFamily("routing", { date_skew_hours: [1, 48] });
    const names = fam.featureNames();
    expect(names.filter((n) => n.startsWith("routing:date_p") || n.startsWith("routing:date_f"))).toEqual([
      "routing:date_past_1_48h",
      "routing:date_past_gt48h",
      "routing:date_future_1_48h",
      "routing:date_future_gt48h",
    ]);
  });

  it("needs parsed messages: a csv row is an error that names the example", () => {
    const fam = createFamily("routing", {});
    expect(() => fam.fit([example("row7", { text: { body: "x" } })])).toThrow(
      new DataError(
        'features.routing: example "row7" has no parsed email; this family reads raw messages ' +
          "(data.source spamassassin or eml), not csv/jsonl rows",
        { where: "row7" },
      ),
    );
  });
});
