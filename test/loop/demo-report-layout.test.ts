/**
 * The demo's (the loop's) report layout in a real browser (Chromium, as scripts/with-services.sh provides): at
 * 1400 px and at 800 px nothing is wider than the page (nor in a diagnosis report's tables) — the ledger and the iterations' tables
 * with long changes (dotted spec keys, JSON values) wrap inside the page instead of overflowing.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { table } from "../../src/diagnose/view-model.js";
import type { Ledger } from "../../src/compare/lineage.js";
import { renderLoopReport } from "../../src/loop/loop-report.js";
import { renderViewHtml } from "../../src/report/view-html.js";
import type { LoopResult } from "../../src/loop/loop.js";
import { launchChromium } from "../server/browser-helpers.js";

const LONG_CHANGE = [
  "features.words.ngram_range: [1,1] → [1,2]",
  "features.words.max_features: null → 200000",
  // a value without a space to break at, as a spec patch prints JSON
  `features.spelling.dictionary_words=${JSON.stringify(Array.from({ length: 30 }, (_, i) => `word${i}`))}`,
  'features.urls={"shorteners":true,"ip_hosts":true,"lookalike_domains":["paypal.com","microsoft.com","apple.com"]}',
];

function demoReport(): string {
  const effect = { delta: 0.0123, ciLow: 0.0051, ciHigh: 0.0199, verdict: "improved" };
  const entry = (i: number) => ({
    run: { id: `01a2460000000000000${i}`, name: `iteration-${i}-with-a-rather-long-name` },
    value: 0.9 + i / 100,
    edge: i === 0 ? null : { change: LONG_CHANGE, effect },
  });
  const decision = {
    accepted: true,
    a: 0.9,
    b: 0.912,
    delta: 0.012,
    ciLow: 0.005,
    ciHigh: 0.02,
    p: 0.001,
    perTest: 0.007,
  };
  const top = [
    {
      id: "x",
      title: "add the URL phishing features and word bigrams with a larger vocabulary",
      metric: 0.95,
      delta: 0.01,
      ciLow: 0.002,
      ciHigh: 0.02,
      rung: 1,
      answers: "error_tags",
      patch: LONG_CHANGE,
    },
  ];
  const loop = {
    experiment: "spam-demo-20261205-081500",
    metric: "f1",
    rule: { text: "Bonferroni over the budget" },
    baselineRunId: "01a24600000000000000",
    incumbentRunId: "01a24600000000000002",
    trajectory: [0.9, 0.91, 0.92],
    rounds: [0, 1].map((i) => ({
      incumbent: `01a2460000000000000${i}`,
      findings: [{ kind: "variance", text: "high variance: 3.1 pt (± 0.8 pt SE)" }],
      screen: { incumbentMetric: 0.9, trials: 50, ms: 1000, top },
    })),
    attempts: [1, 2].map((i) => ({
      look: i + 1,
      runId: `01a2460000000000000${i}`,
      title: top[0]!.title,
      patch: LONG_CHANGE,
      screened: top[0],
      decision,
    })),
    looks: 3,
    stopReason: "used the budget of 3 full runs",
    dev: { value: 0.92, low: 0.9, high: 0.94 },
    test: { value: 0.93, low: 0.91, high: 0.95 },
  } as unknown as LoopResult;
  return renderLoopReport(loop, { ledger: { metric: "f1", entries: [0, 1, 2].map(entry) } as unknown as Ledger });
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
      await page.setContent(name === "the demo report" ? demoReport() : diagnosisReport());
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
