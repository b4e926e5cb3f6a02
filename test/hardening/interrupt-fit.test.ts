/**
 * Ctrl-C during a long fit (issue #12): the run is recorded `failed: interrupted by SIGINT` and the
 * process ends at once, not after the fit. A learner fits synchronously, so a signal handler on the
 * fitting thread would only run once the fit is over; the CLI fits on a worker thread instead.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collect, json, runCli, startCli, tempDir } from "../cli/cli-helpers.js";

// a network wide and patient enough to train for an hour on wine's 107 rows
const ENDLESS =
  "model={family: mlp, hidden_layer_sizes: [512, 512], max_iter: 100000, tol: 0, n_iter_no_change: 100000}";

describe("Ctrl-C during the train stage", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(
      `${signal} records the run failed: interrupted and ends the process without finishing the fit`,
      { timeout: 90_000 },
      async () => {
        const store = join(tempDir("mlloop-interrupt-"), "mlloop.db");
        const child = startCli(["run", "examples/wine/baseline.yaml", "--set", ENDLESS, "--store", store]);
        const done = collect(child);
        // wait until the run exists and is running (the train stage starts right after)
        let running = false;
        for (let i = 0; i < 120 && !running; i++) {
          await new Promise((r) => setTimeout(r, 250));
          const r = await runCli(["runs", "--store", store, "--json"]);
          running = r.code === 0 && json<Array<{ status: string }>>(r)[0]?.status === "running";
        }
        expect(running, "the run never started").toBe(true);
        await new Promise((r) => setTimeout(r, 1_000));
        child.kill(signal);
        // the fit alone would take about an hour: give the process 30 s to go, then stop it hard
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        const r = await done;
        clearTimeout(timer);
        expect(r.signal, "still fitting 30 s after the signal").not.toBe("SIGKILL");
        // died of the signal, as a shell reports it (128 + its number), or exited with that code
        expect(
          r.signal === signal || r.code === (signal === "SIGINT" ? 130 : 143),
          `code ${r.code}, signal ${r.signal}`,
        ).toBe(true);
        expect(r.stderr).not.toContain("✓ train");
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        const [run] = json<Array<{ status: string; error: string }>>(
          await runCli(["runs", "--store", store, "--json"]),
        );
        expect([run!.status, run!.error]).toEqual(["failed", `interrupted by ${signal}`]);
      },
    );
  }
});
