/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core), served by the real
 * server from a seeded SQLite store: each page shows the right numbers, Apply starts a run whose
 * outcome appears, the live loop page picks up a run written by another writer, and hostile run
 * content never executes nor reaches another origin. One browser for the file.
 *
 * Screenshots of each page go to $MLLOOP_UI_SCREENSHOTS when set (npm run ui:screenshots → docs/ui).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { latestDiagnosis } from "../../src/recommend/diagnosis.js";
import { OUTCOME_KIND, type RecommendationOutcome } from "../../src/recommend/outcome.js";
import { startUiServer, type UiServer } from "../../src/server/serve.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { Store } from "../../src/track/store.js";
import { join } from "node:path";
import { ROOT, runCli, tempDir } from "../cli/cli-helpers.js";
import { writeRun, devSet, BASE_SPEC } from "../compare/fixtures.js";
import { launchChromium, requireBuiltWeb, screenshot, watchHostileEffects } from "./browser-helpers.js";
import { HOSTILE_IMG, HOSTILE_SCRIPT, seedStore, type Seeded } from "./seed.js";

let seeded: Seeded;
let store: Store;
let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let effects: { dialogs: string[]; foreign: string[] };

beforeAll(async () => {
  requireBuiltWeb();
  seeded = await seedStore(tempDir("mlloop-ui-browser-"));
  store = await openSqliteStore(seeded.storePath);
  server = await startUiServer({ store, storeLocation: seeded.storePath, port: 0, pollMs: 300 });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  effects = watchHostileEffects(page, server.origin);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

const fmt = (x: number): string => x.toFixed(4);
const signed = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(4)}`;

async function open(path: string): Promise<void> {
  await page.goto(`${server.origin}${path}`);
}

describe("pages show the store's numbers", () => {
  it("runs: the count, a filter typed into the search box, and the CLI's error inline", async () => {
    await open("/runs");
    const all = await store.listRuns();
    await expect.poll(() => page.textContent("#runs-count")).toContain(`${all.length} runs`);
    await screenshot(page, "runs");
    await page.fill("#runs-where", 'name = "C=10"');
    await expect.poll(() => page.textContent("#runs-count")).toContain("1 run");
    const row = page.locator(`.runs-scroll [data-run="${seeded.lineage.child}"]`);
    await expect.poll(() => row.textContent()).toContain(fmt(seeded.lineage.accuracies[1]));
    await page.fill("#runs-where", "metrics.dev.f1 >");
    const cli = await runCli(["runs", "--where", "metrics.dev.f1 >", "--store", seeded.storePath]);
    await expect.poll(() => page.textContent("#runs-error")).toBe(cli.stderr.replace(/^error: /, "").trimEnd());
    expect(new URL(page.url()).searchParams.get("where")).toBe("metrics.dev.f1 >");
  });

  it("run: metrics per split and the change from the parent", async () => {
    await open(`/run/${seeded.lineage.child}`);
    const cell = page.locator('tr[data-metric="accuracy"] td[data-split="dev"]');
    await expect.poll(() => cell.textContent()).toBe(fmt(seeded.lineage.accuracies[1]));
    expect(await page.textContent(".spec-diff")).toContain("model.C: 1 → 10");
    await open(`/run/${seeded.mailA}`);
    await page.waitForSelector(".artifacts li");
    await screenshot(page, "run");
  });

  it("lineage: edges with their change and delta, accepted and rejected attempts, a click opens the comparison", async () => {
    await open("/lineage?experiment=lineage");
    const { root, child, grandchild, accuracies } = seeded.lineage;
    const edge = page.locator(`[data-edge="${root}-${child}"]`);
    await expect.poll(() => edge.textContent()).toContain(`Δaccuracy ${signed(accuracies[1] - accuracies[0])}`);
    expect(await edge.textContent()).toContain("model.C: 1 → 10");
    expect(await page.locator(`li[data-run="${child}"] > .node`).getAttribute("class")).toContain("accepted");
    expect(await page.locator(`li[data-run="${grandchild}"] > .node`).getAttribute("class")).toContain("rejected");
    await screenshot(page, "lineage");
    await edge.click();
    await page.waitForURL(/\/compare\?runs=/);
    expect(new URL(page.url()).searchParams.get("runs")).toBe(`${root},${child}`);
    await expect
      .poll(() => page.locator('tr[data-metric="accuracy"] .delta').textContent())
      .toBe(signed(accuracies[1] - accuracies[0]));
  });

  it("compare: paired deltas, McNemar and flips as the library computes them; the refusal in the CLI's words", async () => {
    const { compareRuns } = await import("../../src/compare/compare-runs.js");
    const c = await compareRuns(store, seeded.mailA, seeded.mailB, { flipLimit: 20 });
    await open(`/compare?runs=${seeded.mailA},${seeded.mailB}`);
    const acc = c.splits[0]!.metrics.find((m) => m.metric === "accuracy")!;
    await expect.poll(() => page.locator('tr[data-metric="accuracy"] .delta').textContent()).toBe(signed(acc.delta));
    expect(await page.textContent("#mcnemar")).toContain(`b = ${acc.mcnemar!.b}`);
    const flips = c.splits[0]!.flips!;
    expect(await page.locator("table.flips tbody tr").count()).toBe(flips.examples.length);
    await screenshot(page, "compare");
    await open(`/compare?runs=${seeded.mailA},${seeded.lineage.root}`);
    const cli = await runCli(["compare", seeded.mailA, seeded.lineage.root, "--store", seeded.storePath]);
    await expect.poll(() => page.textContent("pre.error")).toBe(cli.stderr.replace(/^error: /, "").trimEnd());
  });

  it("attribute: the waterfall's steps are the Shapley values", async () => {
    const { a, b, values: v, labels } = seeded.attribution;
    await open(`/attribute?a=${a}&b=${b}`);
    await page.waitForSelector("table.attribution tr[data-player]");
    for (const [mask, label] of Object.entries(labels)) {
      const i = Number(mask);
      if (i !== 1 && i !== 2) continue;
      const player = label.slice(1);
      const phi = 0.5 * (v[i]! - v[0]! + (v[3]! - v[3 - i]!));
      expect(await page.locator(`.waterfall [data-player="${player}"]`).textContent()).toContain(signed(phi));
    }
    await screenshot(page, "attribute");
  });

  it("sweeps: the list, then one sweep's best trial, trials and parallel-coordinates plot as sweep show --json", async () => {
    const wine = join(ROOT, "examples", "wine");
    const made = await runCli([
      "--store",
      seeded.storePath,
      "sweep",
      "run",
      join(wine, "baseline.yaml"),
      "--space",
      join(wine, "space.yaml"),
      "--trials",
      "5",
      "--name",
      "ui-sweep",
    ]);
    expect(made.code).toBe(0);
    const shown = JSON.parse(
      (await runCli(["--store", seeded.storePath, "sweep", "show", "ui-sweep", "--json"])).stdout,
    ) as { best: { trial: number; value: number; runId: string }; trials: unknown[] };
    await open("/sweeps");
    const row = page.locator('[data-testid="sweep-list"] tr[data-sweep="ui-sweep"]');
    await expect.poll(() => row.textContent()).toContain("wine");
    await row.locator("a").click();
    await page.waitForURL(/\/sweeps\?name=ui-sweep/);
    await expect.poll(() => page.textContent('[data-testid="sweep-best"]')).toContain(`trial ${shown.best.trial}:`);
    expect(await page.textContent('[data-testid="sweep-best"]')).toContain(fmt(shown.best.value));
    expect(await page.locator('[data-testid="sweep-trials"] tbody tr').count()).toBe(shown.trials.length);
    // the plot is an image the server drew (an SVG in <img> runs no script)
    const img = page.locator('[data-testid="sweep-parallel"]');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(300);
    await screenshot(page, "sweep");
  });

  it("loop: the ledger, and a run written by another writer appears live", async () => {
    await open("/loop?experiment=lineage");
    await expect
      .poll(() => page.textContent("#ledger"))
      .toContain(`best dev accuracy ${fmt(seeded.lineage.accuracies[1])}`);
    const other = await openSqliteStore(seeded.storePath);
    try {
      const live = await other.createRun({
        experiment: "lineage",
        parentId: seeded.lineage.child,
        name: "live attempt",
      });
      await expect.poll(() => page.locator(`#attempts tr[data-run="${live.id}"]`).textContent()).toContain("running");
      await other.finishRun(live.id, "failed", "stopped by the test");
      await expect.poll(() => page.locator(`#attempts tr[data-run="${live.id}"]`).textContent()).toContain("failed");
    } finally {
      await other.close();
    }
    await screenshot(page, "loop");
  });
});

describe("diagnose and Apply", () => {
  it("shows the stored diagnosis; Apply runs mlloop run --apply as a child and its outcome appears", async () => {
    const diagnosis = (await latestDiagnosis(store, seeded.mailA as never))!;
    await open(`/diagnose/${seeded.mailA}`);
    await expect.poll(() => page.textContent("#verdict")).toContain(diagnosis.verdict.text);
    // the page is a back end of the same view model: its headings and table cells, in order
    const { diagnosisView } = await import("../../src/report/diagnosis-view.js");
    const { visible } = await import("../../src/diagnose/view-model.js");
    const vm = diagnosisView(diagnosis, []);
    for (const section of vm.sections.filter((x) => x.only !== "terminal")) {
      const shown = await page.textContent(`[data-section="${section.id}"]`);
      const flat = (blocks: typeof section.blocks): typeof section.blocks =>
        visible(blocks, "html").flatMap((b) =>
          b.kind === "group" || b.kind === "details" ? [b, ...flat(b.blocks)] : [b],
        );
      for (const b of flat(section.blocks)) {
        if (b.kind === "heading") expect(shown).toContain(b.text);
        if (b.kind === "table") for (const row of b.rows) expect(shown).toContain(row.map(String).join(""));
      }
    }
    const first = diagnosis.recommendations.find((r) => r.patch !== null)!;
    await screenshot(page, "diagnose");
    await page.click(`button[data-apply="${first.n}"]`);
    await page.waitForSelector(`[data-rec="${first.n}"] .outcome`, { timeout: 90_000 });
    const outcomes = await store.listRunResults(seeded.mailA as never, OUTCOME_KIND);
    const outcome = outcomes.map((r) => r.result as RecommendationOutcome).find((o) => o.n === first.n)!;
    const childRun = await store.getRun(outcome.childRunId);
    expect(childRun.parentId).toBe(seeded.mailA);
    expect(childRun.status).toBe("finished");
    expect(childRun.tags.recommendation).toBe(`${seeded.mailA}:${first.n}`);
    const shown = await page.textContent(`[data-rec="${first.n}"] .outcome`);
    expect(shown).toContain(outcome.childRunId.slice(0, 12));
    expect(shown).toContain(outcome.verdict.replace(/_/g, " "));
    expect(await page.textContent(`[data-rec="${first.n}"] pre.progress`)).toMatch(/record/);
  });
});

describe("hostile content", () => {
  it("notes, names, tags, example ids and email bodies with HTML stay text: no dialog, no request elsewhere", async () => {
    const hostile = await writeRun(store, {
      experiment: "hostile",
      name: `${HOSTILE_SCRIPT} second`,
      spec: { ...BASE_SPEC, experiment: "hostile" },
      dev: devSet(30, (i) => i < 3),
    });
    const pages = [
      `/run/${seeded.hostileRun}`,
      `/runs?where=${encodeURIComponent("experiment = hostile")}`,
      `/diagnose/${seeded.mailA}`,
      `/compare?runs=${seeded.mailA},${seeded.mailB}`,
      `/compare?runs=${seeded.hostileRun},${hostile}`,
      "/lineage?experiment=hostile",
      "/loop?experiment=hostile",
    ];
    for (const path of pages) {
      await open(path);
      await page.waitForSelector("main :is(table, .card, ul, pre, .runs-scroll [data-run])");
      await page.waitForTimeout(300);
      expect(await page.locator('main img[src="x"], main a[href^="javascript:"], main script').count()).toBe(0);
    }
    await open(`/run/${seeded.hostileRun}`);
    await expect.poll(() => page.textContent(".notes")).toContain(HOSTILE_SCRIPT);
    expect(await page.textContent(".run-name")).toBe(HOSTILE_IMG);
    await open(`/diagnose/${seeded.mailA}`);
    await page.waitForSelector("#vm-errorAnalysis table");
    expect(await page.textContent("#vm-errorAnalysis")).toContain(HOSTILE_SCRIPT);
    expect(effects.dialogs).toEqual([]);
    expect(effects.foreign).toEqual([]);
  });
});
