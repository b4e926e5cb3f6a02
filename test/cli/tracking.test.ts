/**
 * A training script that uses the tracking API, run as users run it (node script.mjs): the
 * process exits when the script ends and the run is closed — finished, or failed with the error,
 * the signal or the exit code — and the runs are queried, compared, charted and listed like spec
 * runs (examples/tracking/train.mjs, a hand-written softmax regression on the wine data).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collect, json, ROOT, runCli, tempDir } from "./cli-helpers.js";
import { EMAIL_WORDING, expectGolden, Normaliser } from "./golden.js";

const SCRIPT = join(ROOT, "test", "track", "fixtures", "tracking-script.mjs");
const TRAIN = join(ROOT, "examples", "tracking", "train.mjs");

function node(args: string[]) {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

interface ShownRun {
  status: string;
  error: string | null;
  dataInfo: { classes: string[] };
  extras: { primaryMetric: string };
}

describe("a script using the tracking API", () => {
  const dir = tempDir();
  const store = join(dir, "mlloop.db");
  const show = async (id: string) => json<ShownRun>(await runCli(["show", id, "--store", store, "--json"]));

  it("exits when it ends without run.end(), and the run is finished with its classes and macro F1", async () => {
    const r = await collect(node([SCRIPT, store, "end"]));
    expect(r.code).toBe(0);
    const run = await show(r.stdout.trim());
    expect(run.status).toBe("finished");
    expect(run.dataInfo.classes).toEqual(["x", "y", "z"]);
    expect(run.extras.primaryMetric).toBe("macro_f1");
  });

  it("an uncaught exception fails the run with the error, and the process still exits 1", async () => {
    const r = await collect(node([SCRIPT, store, "throw"]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("loss is NaN at epoch 3");
    const run = await show(r.stdout.trim());
    expect([run.status, run.error]).toEqual(["failed", "loss is NaN at epoch 3"]);
  });

  it("SIGTERM fails the run and the process dies of the signal", async () => {
    const child = node([SCRIPT, store, "signal"]);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) child.kill("SIGTERM");
    });
    const r = await collect(child);
    expect(r.signal).toBe("SIGTERM");
    const run = await show(out.trim());
    expect([run.status, run.error]).toEqual(["failed", "interrupted by SIGTERM"]);
  });

  it("process.exit(3) fails the run with the exit code", async () => {
    const r = await collect(node([SCRIPT, store, "exit"]));
    expect(r.code).toBe(3);
    const run = await show(r.stdout.trim());
    expect([run.status, run.error]).toEqual(["failed", "the process exited with code 3"]);
  });

  it("is queried, compared, logged and charted like a spec run", async () => {
    const s = ["--store", store];
    const first = await collect(node([TRAIN, "--store", store, "--lr", "0.1", "--epochs", "40"]));
    const second = await collect(node([TRAIN, "--store", store, "--lr", "0.5", "--epochs", "40", "--parent", "auto"]));
    expect([first.code, second.code]).toEqual([0, 0]);
    const a = /run ([0-9a-f]{20})/.exec(first.stdout)![1]!;
    const b = /run ([0-9a-f]{20})/.exec(second.stdout)![1]!;
    const norm = new Normaliser([dir, ROOT]).register(a, b);

    const where = await runCli([
      "runs",
      ...s,
      "--where",
      "params.lr > 0.2",
      "--columns",
      "id,params.lr,params.epochs,metrics.dev.loss,metrics.dev.macro_f1",
    ]);
    expect(where.code).toBe(0);
    expectGolden("tracking-runs-where", norm.apply(where.stdout));

    const compare = await runCli(["compare", a, b, ...s]);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toContain("params.lr: 0.1 → 0.5");
    expectGolden("tracking-compare", norm.apply(compare.stdout));

    const log = await runCli(["log", "wine-own-code", ...s]);
    expect(log.stdout).toMatch(/Δmacro_f1 [+-]?\d\.\d{4} \[/);
    expect(log.stdout).toContain("params.lr: 0.1 → 0.5");

    const card = await runCli(["show", b, ...s]);
    expect(card.stdout).toContain("params lr=0.5  epochs=40  seed=0");
    // the change from the parent is the params that changed, as compare and log say
    expect(card.stdout).toMatch(/change from parent\n\s+params\.lr: 0\.1 → 0\.5\n/);
    expect(card.stdout).toContain("per step: loss (train 40 steps, dev 40 steps)");
    expect(card.stdout).toContain("confusion matrix on dev");

    const chart = await runCli(["show", b, ...s, "--metric", "loss"]);
    expect(chart.code).toBe(0);
    expectGolden("tracking-chart", norm.apply(chart.stdout));
    const series = json<{ series: Array<{ label: string; points: Array<{ step: number; value: number }> }> }>(
      await runCli(["show", b, ...s, "--metric", "loss", "--json"]),
    ).series;
    expect(series.map((x) => [x.label, x.points.length])).toEqual([
      ["dev", 40],
      ["train", 40],
    ]);
    // training loss falls under gradient descent at this step size
    const train = series.find((x) => x.label === "train")!.points;
    expect(train[39]!.value).toBeLessThan(train[0]!.value);

    const missing = await runCli(["show", b, ...s, "--metric", "los"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--metric los: run");
    expect(missing.stderr).toContain(
      "recorded no such metric (recorded: accuracy, error_rate, loss, macro_f1, weighted_f1)",
    );

    // the HTML report of a tracked run: params, metrics, the per-step charts and the classes (no diagnosis without a spec)
    const reportFile = join(dir, "tracked.html");
    const report = await runCli(["report", b, ...s, "-o", reportFile]);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(reportFile, "utf8");
    expect(html).toContain("<h2>Params</h2>");
    expect(html).toMatch(/<td>lr<\/td><td>0\.5<\/td>/);
    expect(html).toContain("<h2>Metrics by step</h2>");
    expect(html).toContain("loss by step");
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(1);
    expect(html).toMatch(/<h2>Classes on dev \(\d+ examples\)<\/h2>/);
    const diagnose = await runCli(["diagnose", b, ...s]);
    expect(diagnose.code).toBe(4);
    expect(diagnose.stderr).toContain(
      `mlloop report ${b.slice(0, 12)} writes its params, metrics, per-step charts and classes`,
    );
    const reportText = html.replace(/<style[\s\S]*?<\/style>/g, " ").replace(/<[^>]*>/g, " ");

    for (const text of [where.stdout, compare.stdout, log.stdout, card.stdout, chart.stdout, reportText]) {
      expect(text).not.toMatch(EMAIL_WORDING);
    }
  });
});
