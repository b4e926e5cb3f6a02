/**
 * `mlloop demo --fast` end to end (issue #7's integration test): it checks the structure of what
 * the demo recorded — runs linked parent → child, each run of the accepted chain with a diagnosis,
 * a stored comparison with its parent and a ledger entry, the attribution, and a self-contained
 * report — not the exact numbers.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { latestDiagnosis } from "../../src/recommend/diagnosis.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { RunId } from "../../src/track/store.js";
import { json, runCli, tempDir, type CliResult } from "./cli-helpers.js";

interface DemoJson {
  experiment: string;
  firstRunId: string;
  bestRunId: string;
  stopReason: string;
  reportPath: string;
  iterations: Array<{
    runId: string;
    verdict: string;
    attempts: Array<{ childRunId: string; accepted: boolean; primary: { verdict: string; delta: number } }>;
  }>;
  attribution: { attribution: { players: Array<{ player: string; value: number }>; total: { value: number } } } | null;
  ledger: { entries: Array<{ run: { id: string; parentId: string | null }; edge: unknown }> };
}

describe("mlloop demo --fast", () => {
  const dir = tempDir("mlloop-demo-");
  const storePath = join(dir, "mlloop.db");
  let r: CliResult;
  let demo: DemoJson;

  beforeAll(async () => {
    r = await runCli(["demo", "--fast", "--store", storePath, "--experiment", "demo-test", "--json"]);
    demo = json<DemoJson>(r);
  }, 300_000);

  it("finishes and says why it stopped", () => {
    expect(r.code).toBe(0);
    expect(demo.experiment).toBe("demo-test");
    expect(demo.stopReason.length).toBeGreaterThan(0);
    expect(demo.iterations.length).toBeGreaterThanOrEqual(1);
  });

  it("records the accepted chain as parent → child runs, each with a diagnosis, a comparison and a ledger entry", async () => {
    const store = await openSqliteStore(storePath);
    try {
      const chain = demo.ledger.entries.map((e) => e.run);
      expect(chain[0]!.id).toBe(demo.firstRunId);
      expect(chain[chain.length - 1]!.id).toBe(demo.bestRunId);
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.parentId).toBe(chain[i - 1]!.id);
      for (const entry of demo.ledger.entries.slice(1)) expect(entry.edge).not.toBeNull();

      for (const run of chain) {
        expect(await latestDiagnosis(store, run.id as RunId), `diagnosis of ${run.id}`).not.toBeNull();
      }
      // every child the demo trained was compared with its parent, and the comparison is stored
      const children = demo.iterations.flatMap((it) =>
        it.attempts.map((a) => ({ parent: it.runId, child: a.childRunId })),
      );
      expect(children.length).toBeGreaterThanOrEqual(1);
      for (const { parent, child } of children) {
        const stored = await store.listPairResults("comparison", [child as RunId]);
        expect(
          stored.some((p) => p.runA === parent && p.runB === child),
          `comparison ${parent} → ${child}`,
        ).toBe(true);
        const run = await store.getRun(child);
        expect(run.parentId).toBe(parent);
        expect(run.tags["recommendation"]).toMatch(new RegExp(`^${parent}:\\d+$`));
      }
      // accepted attempts are exactly the ledger's edges after the first run
      const accepted = demo.iterations.flatMap((it) => it.attempts.filter((a) => a.accepted).map((a) => a.childRunId));
      expect(accepted).toEqual(chain.slice(1).map((c) => c.id));
      for (const it of demo.iterations) {
        for (const a of it.attempts) expect(a.accepted).toBe(a.primary.verdict === "improved");
      }
    } finally {
      await store.close();
    }
  });

  it("attributes the total improvement across the accepted changes", () => {
    if (demo.bestRunId === demo.firstRunId) {
      expect(demo.attribution).toBeNull();
      return;
    }
    const a = demo.attribution!.attribution;
    expect(a.players.length).toBeGreaterThanOrEqual(1);
    const sum = a.players.reduce((s, p) => s + p.value, 0);
    expect(sum).toBeCloseTo(a.total.value, 9); // efficiency
  });

  it("writes a self-contained, inert HTML report that shows the loop", () => {
    expect(existsSync(demo.reportPath)).toBe(true);
    const html = readFileSync(demo.reportPath, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link |src="http|href="http/i);
    expect(html).toContain(demo.firstRunId.slice(0, 12));
    expect(html).toContain("Iterations");
    expect(html).toContain("Ledger");
  });

  it("the recorded experiment is explorable with log and ledger", async () => {
    const log = await runCli(["log", "demo-test", "--store", storePath]);
    expect(log.code).toBe(0);
    expect(log.stdout).toContain(demo.firstRunId.slice(0, 12));
    const ledger = await runCli(["ledger", "demo-test", "--store", storePath, "--json"]);
    expect(ledger.code).toBe(0);
  });
});
