import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { headerTokens, mailerName } from "../../src/features/headers.js";
import { createFamily, restoreFamily } from "../../src/features/registry.js";
import { headersParamsSchema } from "../../src/spec/schema.js";
import { denseRows } from "./helpers.js";
import { mail } from "./email-helpers.js";

const defaults = headersParamsSchema.parse({});

describe("mailerName", () => {
  it("keeps the product name and drops versions and platforms", () => {
    expect(mailerName("Microsoft Outlook Express 6.00.2600.0000")).toBe("microsoft outlook express");
    expect(mailerName("Mutt/1.4i")).toBe("mutt");
    expect(mailerName("Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.0.0) Gecko/20020607")).toBe("mozilla");
    expect(mailerName("Apple Mail (2.482)")).toBe("apple mail");
    expect(mailerName("QUALCOMM Windows Eudora Version 5.1")).toBe("qualcomm windows eudora");
    expect(mailerName("1234")).toBe("other");
  });
});

describe("headers family", () => {
  it("tokens of a clean message: subject words, From domain, content type and charset, no mailer", () => {
    expect(headerTokens(mail(), defaults)).toEqual([
      "subject:minutes",
      "subject:of",
      "subject:the",
      "subject:meeting",
      "from_domain=example.org",
      "content_type=text/plain",
      "charset=us-ascii",
      "mailer=none",
    ]);
  });

  it("registrable domains of From and Reply-To, the mailer, and header names when asked", () => {
    const ex = mail({
      set: {
        From: "Deals <promo@mail.bigshop.co.uk>",
        "Reply-To": "orders@replies.example.net",
        "X-Mailer": "Microsoft Outlook Express 6.00.2600.0000",
        Subject: "FREE offer!!",
        "Content-Type": 'text/html; charset="ISO-8859-1"',
      },
    });
    const tokens = headerTokens(ex, { ...defaults, header_names: true });
    expect(tokens.slice(0, 7)).toEqual([
      "subject:free",
      "subject:offer",
      "from_domain=bigshop.co.uk",
      "reply_to_domain=example.net",
      "content_type=text/html",
      "charset=iso-8859-1",
      "mailer=microsoft outlook express",
    ]);
    expect(tokens).toContain("has=x-mailer");
    expect(tokens).toContain("has=received");
    expect(headerTokens(ex, defaults).some((t) => t.startsWith("has="))).toBe(false);
  });

  it("a missing Content-Type is a token of its own", () => {
    expect(headerTokens(mail({ set: { "Content-Type": null } }), defaults)).toContain("content_type=none");
  });

  it("keeps subject words apart from the words family's columns", () => {
    const fam = createFamily("headers", { min_df: 1 });
    fam.fit([mail()]);
    expect(fam.featureNames()).toContain("headers:subject:meeting");
    expect(fam.featureNames().every((n) => n.startsWith("headers:"))).toBe(true);
  });

  it("learns its vocabulary from train (min_df), in code point order, and ignores unseen tokens", () => {
    const train = [
      mail({ set: { Subject: "free money" } }),
      mail({ set: { Subject: "free offer" } }),
      mail({ set: { Subject: "meeting notes", From: "x@other.org" } }),
    ];
    const fam = createFamily("headers", {});
    fam.fit(train);
    expect(fam.featureNames()).toEqual([
      "headers:charset=us-ascii",
      "headers:content_type=text/plain",
      "headers:from_domain=example.org",
      "headers:mailer=none",
      "headers:subject:free",
    ]);
    const dev = [mail({ set: { Subject: "free free cash" } }), mail({ set: { Subject: "cash" } })];
    expect(denseRows(fam.transform(dev))).toEqual([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ]);
    const counts = createFamily("headers", { weighting: "counts" });
    counts.fit(train);
    expect(denseRows(counts.transform(dev))[0]).toEqual([1, 1, 1, 1, 2]);
    const restored = restoreFamily("headers", {}, JSON.parse(JSON.stringify(fam.state())));
    expect(denseRows(restored.transform(dev))).toEqual(denseRows(fam.transform(dev)));
  });

  it("rejects a saved vocabulary that is out of order", () => {
    expect(() => restoreFamily("headers", {}, { vocabulary: ["subject:b", "subject:a"] })).toThrow(
      new StoreError('saved headers vocabulary is not sorted or repeats "subject:a"'),
    );
  });
});
