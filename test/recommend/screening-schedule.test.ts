/**
 * Screening schedules its trials (longest first, and the random compounds overlapping the greedy
 * ones); only the order may change, never a result. Two loops on the same planted data, one whose
 * executor finishes trials in a seeded random order with random delays (as a busy pool does) and
 * one that runs them inline in order, must screen the same candidates to the same estimates,
 * start from the same configuration, and run each (rung, candidate) trial once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runLoop, type LoopResult } from "../../src/loop/loop.js";
import { crossValidate, type ScreenResult, type ScreenTask } from "../../src/recommend/screen-worker.js";
import type { Executor } from "../../src/search/executor.js";
import { parseSpec } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { tempDir } from "../cli/cli-helpers.js";

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

/** Runs every task, finishing them out of order: each waits a seeded random 0–6 ms first. */
function shuffledExecutor(seed: number, calls: string[]): Executor<ScreenTask, ScreenResult> {
  const rng = createRng(seed);
  return {
    parallelism: 4,
    async map(tasks) {
      return Promise.all(
        tasks.map(async (t) => {
          calls.push(
            JSON.stringify([t.model, t.X.data.length, t.X.rows, t.X.cols, t.k, Array.from(t.folds.slice(0, 20))]),
          );
          await new Promise((ok) => setTimeout(ok, Math.floor(rng.next() * 7)));
          return crossValidate(t);
        }),
      );
    },
    async close() {},
  };
}

function inOrderExecutor(calls: string[]): Executor<ScreenTask, ScreenResult> {
  return {
    parallelism: 1,
    async map(tasks) {
      const out: ScreenResult[] = [];
      for (const t of tasks) {
        calls.push("x");
        out.push(crossValidate(t));
      }
      return out;
    },
    async close() {},
  };
}

async function screenOnce(
  dir: string,
  name: string,
  executor: Executor<ScreenTask, ScreenResult>,
): Promise<LoopResult> {
  const store = await openStore(join(dir, `${name}.db`));
  stores.push(store);
  return runLoop({
    store,
    spec: parseSpec({
      experiment: name,
      data: { source: "csv", path: "data.csv", columns: { id: "id", label: "label", text: ["noise", "body"] } },
      features: { words: { fields: ["noise"] } },
      model: { family: "logistic_regression" },
    }),
    baseDir: dir,
    budget: 1,
    executor,
    screening: {
      rungs: [
        { folds: 3, fraction: 0.5 },
        { folds: 3, fraction: 1 },
      ],
    },
    log: () => undefined,
  });
}

describe("screening's schedule changes no result", () => {
  it("out-of-order completion gives the inline order's estimates, choice and trial count", async () => {
    const dir = tempDir("mlloop-screen-schedule-");
    const rng = createRng(7);
    const rows = ["id,noise,body,label"];
    for (let i = 0; i < 240; i++) {
      const label = rng.next() < 0.4 ? 1 : 0;
      const noise = Array.from({ length: 6 }, () => `w${rng.int(50)}`).join(" ");
      const body = Array.from({ length: 6 }, () =>
        rng.next() < 0.7 ? `${label ? "pos" : "neg"}${rng.int(8)}` : `w${rng.int(50)}`,
      ).join(" ");
      rows.push(`r${i},${noise},${body},${label}`);
    }
    writeFileSync(join(dir, "data.csv"), `${rows.join("\n")}\n`);

    const shuffledCalls: string[] = [];
    const inOrderCalls: string[] = [];
    const a = await screenOnce(dir, "shuffled", shuffledExecutor(11, shuffledCalls));
    const b = await screenOnce(dir, "in-order", inOrderExecutor(inOrderCalls));

    const top = (r: LoopResult) => r.rounds[0]!.screen.top.map((c) => [c.id, c.metric, c.delta]);
    expect(top(a)).toEqual(top(b));
    expect(a.rounds[0]!.screen.incumbentMetric).toBe(b.rounds[0]!.screen.incumbentMetric);
    expect(a.trajectory).toEqual(b.trajectory);
    // every trial ran once, whichever phase asked for it first, and the count says so
    expect(shuffledCalls.length).toBe(inOrderCalls.length);
    expect(a.rounds[0]!.screen.trials).toBe(shuffledCalls.length);
    expect(b.rounds[0]!.screen.trials).toBe(inOrderCalls.length);
  }, 120_000);
});
