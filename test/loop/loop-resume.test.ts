/**
 * `kill -9` in the middle of `mlloop loop`, then the same command again: nothing finished is run
 * again (the spec hashes of the experiment's finished runs are unique), the full runs stay within
 * the budget, and the second invocation ends normally with a final choice.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect, json, runCli, startCli, tempDir } from "../cli/cli-helpers.js";
import { openStore } from "../../src/track/open.js";
import type { RunSummary, Store } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";

const dir = tempDir("mlloop-loop-resume-");
const storePath = join(dir, "mlloop.db");
const EXPERIMENT = "resume-me";
const BUDGET = 4;

/**
 * 400 rows: `body` and the numeric `score` each carry the label (with noise), `noise` does not; the
 * spec reads `noise` only, so the loop has several moves to make.
 */
function writeData(): void {
  const rng = createRng(11);
  const rows = ["id,noise,body,score,label"];
  for (let i = 0; i < 400; i++) {
    const label = rng.next() < 0.5 ? 1 : 0;
    const noise = Array.from({ length: 5 }, () => `n${rng.int(40)}`).join(" ");
    const body = Array.from({ length: 4 }, () => {
      const side = rng.next() < 0.7 ? label : 1 - label;
      return `${side === 1 ? "pos" : "neg"}${rng.int(6)}`;
    }).join(" ");
    const score = (label + rng.next() * 2).toFixed(3);
    rows.push(`r${i},${noise},${body},${score},${label}`);
  }
  writeFileSync(join(dir, "data.csv"), `${rows.join("\n")}\n`);
  writeFileSync(
    join(dir, "spec.yaml"),
    [
      "data: { source: csv, path: data.csv, columns: { id: id, label: label, text: [noise, body], numeric: [score] } }",
      "features: { words: { fields: [noise] } }",
      "model: { family: logistic_regression, C: 0.01 }",
      "",
    ].join("\n"),
  );
}
writeData();

const ARGS = [
  "loop",
  join(dir, "spec.yaml"),
  "--budget",
  String(BUDGET),
  "--experiment",
  EXPERIMENT,
  "--store",
  storePath,
  "--workers",
  "0",
];

let store: Store | null = null;
afterAll(async () => {
  await store?.close();
});

async function finishedRuns(): Promise<RunSummary[]> {
  store ??= await openStore(storePath);
  return (await store.listRuns({ experiment: EXPERIMENT })).filter((r) => r.status === "finished");
}

describe("mlloop loop killed with SIGKILL and started again", () => {
  it("repeats no finished run, stays within the budget and ends normally", async () => {
    const child = startCli(ARGS);
    const first = collect(child);
    let atKill = -1;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const n = (await finishedRuns()).length;
      if (n >= 2) {
        child.kill("SIGKILL");
        atKill = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    const killed = await first;
    expect(killed.signal, `the loop ended before it was killed:\n${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
    expect(atKill).toBeGreaterThanOrEqual(2);
    const beforeResume = await finishedRuns();
    expect(beforeResume.length).toBeLessThan(BUDGET);

    const again = await runCli([...ARGS, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const result = json<{ runsUsed: number; resumed: boolean; stopReason: string; incumbentRunId: string }>(again);
    expect(result.resumed).toBe(true);
    expect(result.runsUsed).toBeLessThanOrEqual(BUDGET);

    const finished = await finishedRuns();
    // every run finished before the kill is still there, and none was run a second time
    for (const r of beforeResume) expect(finished.map((f) => f.id)).toContain(r.id);
    const hashes = finished.map((r) => r.specHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    const loopRuns = finished.filter((r) => r.tags["loop.role"] !== undefined);
    expect(loopRuns.length).toBeLessThanOrEqual(BUDGET);
    expect(loopRuns.filter((r) => r.tags["loop.role"] === "baseline")).toHaveLength(1);
    // every attempt carries its decision, the one finished just before the kill included
    for (const r of loopRuns.filter((x) => x.tags["loop.role"] === "attempt")) {
      expect(["accepted", "rejected"]).toContain(r.tags["loop.outcome"]);
    }
    expect(finished.map((r) => r.id)).toContain(result.incumbentRunId);
  }, 120_000);
});
