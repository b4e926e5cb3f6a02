/**
 * The demo report's layout in a real browser (Chromium, as scripts/with-services.sh provides): at
 * 1400 px and at 800 px nothing is wider than the page (nor in a diagnosis report's tables) — the ledger and the iterations' tables
 * with long changes (dotted spec keys, JSON values) wrap inside the page instead of overflowing.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { table } from "../../src/diagnose/view-model.js";
import { renderDemoReport } from "../../src/loop/demo-report.js";
import { renderViewHtml } from "../../src/report/view-html.js";
import type { DemoResult } from "../../src/loop/demo.js";
import { launchChromium } from "../server/browser-helpers.js";

const LONG_CHANGE = [
  "features.words.ngram_range: [1,1] → [1,2]",
  "features.words.max_features: null → 200000",
  // a value without a space to break at, as a spec patch prints JSON
  `features.spelling.dictionary_words=${JSON.stringify(Array.from({ length: 30 }, (_, i) => `word${i}`))}`,
  'features.urls={"shorteners":true,"ip_hosts":true,"lookalike_domains":["paypal.com","microsoft.com","apple.com"]}',
];

function demoResult(): DemoResult {
  const effect = { delta: 0.0123, ciLow: 0.0051, ciHigh: 0.0199, verdict: "improved" };
  const entry = (i: number) => ({
    run: { id: `01a2460000000000000${i}`, name: `iteration-${i}-with-a-rather-long-name` },
    value: 0.9 + i / 100,
    edge: i === 0 ? null : { change: LONG_CHANGE, effect },
  });
  const attempt = {
    recommendation: {
      n: 1,
      title: "add the URL phishing features and word bigrams with a larger vocabulary",
      patchText: LONG_CHANGE,
      expected: { devErrorDelta: -0.011, basis: "error analysis ceiling on tag phishing-url" },
    },
    childRunId: "01a24600000000000009",
    primary: { a: 0.9, b: 0.912, ...effect },
    accepted: true,
  };
  return {
    experiment: "spam-demo-20261205-081500",
    primaryMetric: "f1",
    firstRunId: "01a24600000000000000",
    bestRunId: "01a24600000000000002",
    stopReason: "no recommendation left whose prediction held",
    iterations: [0, 1, 2].map((i) => ({
      runId: `01a2460000000000000${i}`,
      devMetric: 0.9 + i / 100,
      verdict: "high variance: 3.1 pt (± 0.8 pt SE)",
      learningCurve: null,
      topTags: [{ tag: "phishing-url", share: 0.3, ceilingError: 0.02 }],
      attempts: [attempt],
    })),
    attribution: null,
    ledger: { metric: "f1", entries: [0, 1, 2].map(entry) },
    reportPath: "/tmp/x.html",
  } as unknown as DemoResult;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const diagnosisReport = (): string =>
  renderViewHtml({
    title: "diagnosis",
    sections: [
      {
        id: "recommendations",
        title: "Recommendations",
        blocks: [table(["change", "why"], [[LONG_CHANGE.join("; "), "x"]])],
      },
    ],
  });

describe.each([
  ["the demo report", 1400],
  ["the demo report", 800],
  ["a diagnosis report", 800],
] as const)("%s at %i px", (name, width) => {
  it("has no table or text wider than the page", async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.setContent(name === "the demo report" ? renderDemoReport(demoResult(), {}) : diagnosisReport());
      const layout = await page.evaluate(() => {
        const body = document.body.getBoundingClientRect();
        const widest = Math.max(
          ...Array.from(document.querySelectorAll("table, pre, div"), (e) => e.getBoundingClientRect().right),
        );
        return {
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          bodyRight: body.right,
          widest,
        };
      });
      expect(layout.scroll).toBeLessThanOrEqual(layout.client);
      expect(layout.widest).toBeLessThanOrEqual(layout.bodyRight + 0.5);
    } finally {
      await page.close();
    }
  });
});
