/**
 * Timing of pairedBootstrap (not a test: vitest only runs *.test.ts). Run:
 *   npx tsx test/evaluate/measure-bootstrap.ts
 * Prints the median of 5 runs of 2,000 resamples for n = 1,210 and n = 100,000 and a few metrics.
 * Most of the time is the n draws per resample from createRng (src/util/random.ts): one rng.int()
 * costs ~30 ns there because its closure-held uint32 state is boxed by V8 on every write.
 */
import { pairedBootstrap, type BootstrapMetricName } from "../../src/evaluate/paired.js";
import { createRng } from "../../src/util/random.js";

function data(n: number): { y: Uint8Array; a: Float64Array; b: Float64Array } {
  const rng = createRng(n);
  const y = new Uint8Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.3 ? 1 : 0;
    const signal = y[i] === 1 ? 1.5 : -1.5;
    a[i] = 1 / (1 + Math.exp(-(signal + rng.normal())));
    b[i] = 1 / (1 + Math.exp(-(signal * 1.1 + rng.normal())));
  }
  return { y, a, b };
}

const metrics: BootstrapMetricName[] = ["accuracy", "f1", "roc_auc", "log_loss"];
for (const n of [1210, 100_000]) {
  const d = data(n);
  for (const metric of metrics) {
    const times: number[] = [];
    let last = null as ReturnType<typeof pairedBootstrap> | null;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      last = pairedBootstrap({
        yTrue: d.y,
        scoreA: d.a,
        scoreB: d.b,
        thresholdA: 0.5,
        thresholdB: 0.5,
        metric,
        resamples: 2000,
        seed: rep,
      });
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    console.log(
      `n=${n} metric=${metric} resamples=2000: median ${times[2]!.toFixed(1)} ms ` +
        `(runs ${times.map((t) => t.toFixed(0)).join(", ")}); delta ${last!.delta.toFixed(4)} ` +
        `CI [${last!.ciLow.toFixed(4)}, ${last!.ciHigh.toFixed(4)}]`,
    );
  }
}
