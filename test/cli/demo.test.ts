/**
 * `mlloop demo --fast` end to end: the demo is `mlloop loop` on the spam corpus plus attribution,
 * ledger and report. This checks the structure of what it recorded — every attempt a child run of
 * the incumbent it tried to beat, with its paired decision stored; the accepted chain is the ledger;
 * no finished run repeated; the attribution sums to the total; a self-contained report — not the
 * exact numbers.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import { json, runCli, tempDir, type CliResult } from "./cli-helpers.js";

interface DemoJson {
  experiment: string;
  firstRunId: string;
  bestRunId: string;
  stopReason: string;
  reportPath: string;
  loop: {
    trajectory: number[];
    looks: number;
    attempts: Array<{ runId: string; incumbent: string; look: number; decision: { accepted: boolean } }>;
  };
  attribution: { attribution: { players: Array<{ player: string; value: number }>; total: { value: number } } } | null;
  ledger: { entries: Array<{ run: { id: string; parentId: string | null }; edge: unknown }> };
}

describe("mlloop demo --fast", () => {
  const dir = tempDir("mlloop-demo-");
  const storePath = join(dir, "mlloop.db");
  let r: CliResult;
  let demo: DemoJson;

  beforeAll(async () => {
    r = await runCli(["demo", "--fast", "--budget", "4", "--store", storePath, "--experiment", "demo-test", "--json"]);
    demo = json<DemoJson>(r);
  }, 900_000);

  it("finishes within its budget, says why it stopped, and improves on the simple first model", () => {
    expect(r.code).toBe(0);
    expect(demo.experiment).toBe("demo-test");
    expect(demo.stopReason.length).toBeGreaterThan(0);
    expect(demo.loop.looks).toBeLessThanOrEqual(4);
    expect(demo.loop.attempts.length).toBeGreaterThanOrEqual(1);
    const t = demo.loop.trajectory;
    expect(t[t.length - 1]!).toBeGreaterThan(t[0]!);
    expect(demo.bestRunId).not.toBe(demo.firstRunId);
  });

  it("records every attempt as a child of the incumbent it tried to beat, with its decision, and repeats no run", async () => {
    const store = await openSqliteStore(storePath);
    try {
      for (const a of demo.loop.attempts) {
        const run = await store.getRun(a.runId as never);
        expect(run.parentId).toBe(a.incumbent);
        expect(run.tags["loop.outcome"]).toBe(a.decision.accepted ? "accepted" : "rejected");
        const stored = await store.listPairResults("loop-acceptance", [a.runId as never]);
        expect(stored.some((p) => p.runA === a.incumbent && p.runB === a.runId)).toBe(true);
      }
      const finished = (await store.listRuns({ experiment: "demo-test" })).filter(
        (x) => x.status === "finished" && x.tags["attribution"] === undefined,
      );
      const hashes = finished.map((x) => x.specHash);
      expect(new Set(hashes).size).toBe(hashes.length);
      // the ledger is the accepted chain, from the first run to the loop's final choice
      const chain = demo.ledger.entries.map((e) => e.run);
      expect(chain[0]!.id).toBe(demo.firstRunId);
      expect(chain[chain.length - 1]!.id).toBe(demo.bestRunId);
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.parentId).toBe(chain[i - 1]!.id);
      const accepted = demo.loop.attempts.filter((a) => a.decision.accepted).map((a) => a.runId);
      expect(accepted).toEqual(chain.slice(1).map((c) => c.id));
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
    expect(html).toContain("Attempts");
    expect(html).toContain("Ledger");
    expect(html).toContain("<svg");
  });

  it("the recorded experiment is explorable with log and ledger", async () => {
    const log = await runCli(["log", "demo-test", "--store", storePath]);
    expect(log.code).toBe(0);
    expect(log.stdout).toContain(demo.firstRunId.slice(0, 12));
    const ledger = await runCli(["ledger", "demo-test", "--store", storePath, "--json"]);
    expect(ledger.code).toBe(0);
  });
});
