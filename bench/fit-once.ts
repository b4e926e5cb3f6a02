/**
 * One fresh process, one learner, `--fits N` fits in a row on a problem written by
 * bench/first-fit.ts: prints {"wall_s": [...], "cpu_s": [...], "f1": …, "faults": [...]} as one JSON line
 * (`faults`: the minor page faults during each fit). The first entry is the
 * first fit of a fresh process — what a new `mlloop run` or a fresh pool worker pays. `cpu_s` is the
 * process's CPU time during each fit (all threads), the figure that a loaded machine disturbs least.
 *
 *   node --import tsx bench/fit-once.ts <lr|svm|sgd|nb|gbdt> <problem dir> [--fits N]
 *
 * The kernel back end is chosen by MLLOOP_KERNELS (js | wasm), see src/models/kernels/.
 */
import { readFileSync } from "node:fs";
import { binaryMetrics } from "../src/evaluate/metrics.js";
import { warmKernels } from "../src/models/kernels/wasm-kernels.js";
import { estimatorFit, rawSvmFit, readCsr, type OurFit } from "./models.js";

export const LEARNERS: Record<string, OurFit> = {
  lr: estimatorFit({ family: "logistic_regression", C: 1 }),
  svm: rawSvmFit,
  svm_calibrated: estimatorFit({ family: "linear_svm", C: 1 }),
  sgd: estimatorFit({ family: "sgd", loss: "log_loss" }),
  nb: estimatorFit({ family: "naive_bayes" }),
  gbdt: estimatorFit({
    family: "gradient_boosting",
    learning_rate: 0.1,
    max_iter: 100,
    max_leaf_nodes: 31,
    min_samples_leaf: 20,
    l2_regularization: 0,
    max_bins: 255,
    early_stopping: false,
  }),
};

/**
 * The process's minor page faults so far (Linux; NaN elsewhere): a first fit that copies X into a
 * never-touched WebAssembly memory faults in each 4 KB page, which cost 1.6 µs or more a page here.
 */
function minorFaults(): number {
  try {
    return Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")[7]);
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const [model, dir, ...rest] = process.argv.slice(2);
  const make = LEARNERS[model ?? ""];
  if (make === undefined || dir === undefined) {
    throw new Error(`usage: fit-once.ts <${Object.keys(LEARNERS).join("|")}> <problem dir> [--fits N]`);
  }
  const fits = rest[0] === "--fits" ? Number(rest[1]) : 1;
  // As `mlloop run` does while it loads the data (and as `import sklearn` loads compiled code
  // before scikit-learn's first fit): the kernel modules compile before the first fit is timed.
  await warmKernels();
  const train = readCsr(dir, "train");
  const test = readCsr(dir, "test");
  const wall: number[] = [];
  const cpu: number[] = [];
  const faults: number[] = [];
  let f1 = NaN;
  for (let r = 0; r < fits; r++) {
    const learner = make();
    const f0 = minorFaults();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    learner.fit(train);
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    faults.push(minorFaults() - f0);
    const { score, threshold } = learner.score(test);
    f1 = binaryMetrics(Uint8Array.from(test.y), score, threshold).f1;
  }
  process.stdout.write(JSON.stringify({ wall_s: wall, cpu_s: cpu, f1, faults }) + "\n");
}

await main();
