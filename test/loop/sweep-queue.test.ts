/**
 * Sweeps on BullMQ workers, against the real Redis and PostgreSQL that scripts/with-services.sh
 * starts (these tests fail, never skip, without them): `mlloop worker` processes take the trials
 * and record them in the shared store; a worker killed with SIGKILL mid-job has its job retried on
 * another worker and recorded once (a sweep trial; a coalition run of attribute --queue); a trial
 * killed twice is recorded failed with the queue's error and the sweep goes on; Redis restarted
 * mid-sweep loses no trial; the sweep process killed and run again finishes without running a
 * finished trial twice. `attribute --queue` sends its coalition runs to the same workers, `loop
 * --queue` its screening trials.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runExperiment } from "../../src/loop/run-experiment.js";
import { lostTrial, runSweep, sweepRuns } from "../../src/loop/sweep.js";
import type { TrialResult, TrialTask } from "../../src/loop/sweep-trial.js";
import { queueExecutor } from "../../src/search/queue-executor.js";
import { parseSweepSpace } from "../../src/search/space-file.js";
import { loadSpecFile } from "../../src/spec/load.js";
import { openStore } from "../../src/track/open.js";
import type { Store } from "../../src/track/store.js";
import { BIN, ROOT, runCli, startCli, tempDir } from "../cli/cli-helpers.js";
import { createTestDatabase, type TestDatabase } from "../track/pg-test-db.js";

function redisUrl(): string {
  const url = process.env["MLLOOP_TEST_REDIS_URL"];
  if (!url) throw new Error("MLLOOP_TEST_REDIS_URL is not set: run through scripts/with-services.sh (npm test does)");
  return url;
}

const SPEC = join(ROOT, "examples", "digits", "baseline.yaml");
// digits, logistic regression with weak regularisation: a trial takes a second or two here
const space = parseSweepSpace("model.C: { log: [1, 100] }", "space.yaml");
const dir = tempDir("mlloop-queue-");
const artifacts = join(dir, "artifacts");
mkdirSync(artifacts, { recursive: true });
process.env["MLLOOP_ARTIFACTS"] = artifacts;

interface WorkerProc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Trials this worker has started, in order. */
  readonly started: number[];
  log: string;
}
const workers: WorkerProc[] = [];
const dbs: TestDatabase[] = [];
const stores: Store[] = [];

function startWorker(store: string, queue: string, queueName: string): WorkerProc {
  const child = spawn(
    process.execPath,
    [BIN, "--store", store, "worker", "--queue", queue, "--queue-name", queueName, "--lock-ms", "3000"],
    {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", MLLOOP_ARTIFACTS: artifacts },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const w: WorkerProc = { child, pid: child.pid!, started: [], log: "" };
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    w.log += d;
    for (const m of d.matchAll(/ start \S+ #(\d+)/g)) w.started.push(Number(m[1]));
  });
  workers.push(w);
  return w;
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freshStore(): Promise<{ url: string; store: Store }> {
  const db = await createTestDatabase("mlloop_queue");
  dbs.push(db);
  const store = await openStore(db.url);
  stores.push(store);
  return { url: db.url, store };
}

function executor(url: string, queueName: string, parallelism: number) {
  return queueExecutor<TrialTask, TrialResult>({
    url,
    queueName,
    jobName: "sweep-trial",
    jobId: (t) => `trial-${t.runId}`,
    parallelism,
    onFailure: lostTrial,
  });
}

afterEach(() => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill("SIGKILL");
});
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dbs) await d.drop();
});

describe("sweep trials on BullMQ workers (real Redis, real PostgreSQL)", () => {
  it("two worker processes take the trials and record them in the shared store", async () => {
    const { url, store } = await freshStore();
    const q = `q-${Date.now()}`;
    const a = startWorker(url, redisUrl(), q);
    const b = startWorker(url, redisUrl(), q);
    const ex = await executor(redisUrl(), q, 2);
    try {
      const out = await runSweep({
        store,
        name: "dist",
        specFile: SPEC,
        space,
        trials: 6,
        sampler: { name: "tpe", seed: 1 },
        pruner: "none",
        executor: ex,
      });
      expect(out.trials.map((t) => t.state)).toEqual(Array(6).fill("complete"));
      const runs = await sweepRuns(store, "dist");
      expect(runs.size).toBe(6);
      const pids = new Set([...runs.values()].map((r) => r.pid));
      // recorded by the workers, not by this process; both took part
      expect(pids.has(process.pid)).toBe(false);
      expect([...pids].sort()).toEqual([a.pid, b.pid].sort());
      for (const r of runs.values()) expect(r.status).toBe("finished");
    } finally {
      await ex.close();
    }
  }, 180_000);

  it("mlloop sweep run --queue: the CLI sends the trials to the workers and prints the outcome", async () => {
    const { url, store } = await freshStore();
    const q = `q-cli-${Date.now()}`;
    const w = startWorker(url, redisUrl(), q);
    const spaceFile = join(dir, "space.yaml");
    writeFileSync(spaceFile, "model.C: { log: [1, 100] }\n");
    const r = await runCli(
      [
        "--store",
        url,
        "sweep",
        "run",
        SPEC,
        "--space",
        spaceFile,
        "--trials",
        "3",
        "--queue",
        redisUrl(),
        "--queue-name",
        q,
        "--name",
        "cli",
        "--json",
      ],
      { cwd: dir, env: { MLLOOP_ARTIFACTS: artifacts } },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { trials: Array<{ state: string }> };
    expect(out.trials.map((t) => t.state)).toEqual(["complete", "complete", "complete"]);
    const runs = await sweepRuns(store, "cli");
    expect([...runs.values()].map((x) => x.pid)).toEqual([w.pid, w.pid, w.pid]);
  }, 120_000);

  it("the sweep process killed (SIGKILL) and run again: it finishes, finished trials are not run again, each trial recorded once", async () => {
    const { url, store } = await freshStore();
    const q = `q-resume-${Date.now()}`;
    startWorker(url, redisUrl(), q);
    const spaceFile = join(dir, "space-resume.yaml");
    writeFileSync(spaceFile, "model.C: { log: [1, 100] }\n");
    const args = [
      ...["--store", url, "sweep", "run", SPEC, "--space", spaceFile, "--trials", "4"],
      ...["--queue", redisUrl(), "--queue-name", q, "--name", "resume", "--json"],
    ];
    const first = startCli(args, { cwd: dir, env: { MLLOOP_ARTIFACTS: artifacts } });
    const finishedBefore = await until("two finished trials", async () => {
      const runs = await sweepRuns(store, "resume");
      const done = [...runs.entries()].filter(([, r]) => r.status === "finished");
      return done.length >= 2 ? done : undefined;
    });
    first.kill("SIGKILL");
    // killed mid-sweep, not exited after the last trial
    const signal = await new Promise((r) => first.once("close", (_code, sig) => r(sig)));
    expect(signal).toBe("SIGKILL");
    expect(finishedBefore.length).toBeLessThan(4);
    const r = await runCli(args, { cwd: dir, env: { MLLOOP_ARTIFACTS: artifacts } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { trials: Array<{ state: string }> };
    expect(out.trials.map((t) => t.state)).toEqual(["complete", "complete", "complete", "complete"]);
    const runs = await sweepRuns(store, "resume");
    expect(runs.size).toBe(4);
    // the trials finished before the kill are the same runs, not run again
    for (const [trial, before] of finishedBefore) {
      expect(runs.get(trial)!.id).toBe(before.id);
      expect(runs.get(trial)!.endedAt).toBe(before.endedAt);
    }
    const all = await store.queryRuns({
      where: { kind: "cmp", field: { kind: "tag", key: "sweep" }, op: "=", value: { type: "string", value: "resume" } },
    });
    expect(all).toHaveLength(4);
  }, 180_000);

  it("kill -9 mid-trial: retried on another worker and recorded once; killed twice: recorded failed, the sweep goes on", async () => {
    const { url, store } = await freshStore();
    const q = `q-${Date.now()}`;
    const ws = [0, 1, 2, 3].map(() => startWorker(url, redisUrl(), q));
    const ex = await executor(redisUrl(), q, 1);
    const killed: number[] = [];
    // the killer: the first two workers to start trial 0 and the first to start trial 1 die with SIGKILL once their run exists
    const plan = [0, 0, 1];
    const killer = (async () => {
      for (const trial of plan) {
        const w = await until(`a worker starting trial ${trial}`, () =>
          ws.find(
            (x) =>
              !killed.includes(x.pid) && x.started.filter((t) => t === trial).length > 0 && x.child.exitCode === null,
          ),
        );
        await until(`trial ${trial}'s run`, async () =>
          (await sweepRuns(store, "faults")).get(trial)?.pid === w.pid ? true : undefined,
        );
        w.child.kill("SIGKILL");
        killed.push(w.pid);
      }
    })();
    try {
      const out = await runSweep({
        store,
        name: "faults",
        specFile: SPEC,
        space,
        trials: 3,
        sampler: { name: "random", seed: 4 },
        pruner: "none",
        executor: ex,
      });
      await killer;
      expect(killed).toHaveLength(3);
      const [t0, t1, t2] = out.trials;
      expect(t0!.state).toBe("failed");
      expect(t0!.error).toMatch(/stalled/);
      expect([t1!.state, t1!.error]).toEqual(["complete", null]);
      expect(t2!.state).toBe("complete");
      const runs = await sweepRuns(store, "faults");
      expect(runs.size).toBe(3);
      expect(runs.get(0)!.status).toBe("failed");
      expect(runs.get(0)!.error).toMatch(/stalled/);
      // trial 1 was recorded once, by a worker that was not killed
      expect(runs.get(1)!.status).toBe("finished");
      expect(killed).not.toContain(runs.get(1)!.pid);
      const all = await store.queryRuns({
        where: {
          kind: "cmp",
          field: { kind: "tag", key: "sweep" },
          op: "=",
          value: { type: "string", value: "faults" },
        },
      });
      expect(all).toHaveLength(3);
    } finally {
      await ex.close();
    }
  }, 240_000);

  it("Redis restarted mid-sweep (AOF, appendfsync always): no trial lost, the sweep finishes", async () => {
    const bin = process.env["MLLOOP_TEST_REDIS_BIN"];
    if (!bin) throw new Error("MLLOOP_TEST_REDIS_BIN is not set: run through scripts/with-services.sh");
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const rdir = join(dir, `redis-${port}`);
    mkdirSync(rdir, { recursive: true });
    writeFileSync(join(rdir, "redis.conf"), "");
    const redisArgs = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      rdir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--maxmemory-policy",
      "noeviction",
      "--save",
      "",
    ];
    let redis = spawn(bin, redisArgs, { stdio: "ignore" });
    const url = `redis://127.0.0.1:${port}`;
    const { url: pgUrl, store } = await freshStore();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const w = startWorker(pgUrl, url, "restart");
      const ex = await executor(url, "restart", 1);
      let restarted = false;
      // Redis dies (SIGKILL) while the worker is in the middle of trial 2, and comes back a second later
      const chaos = (async () => {
        await until("trial 2 to start", () => (w.started.includes(2) ? true : undefined));
        redis.kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 1000));
        redis = spawn(bin, redisArgs, { stdio: "ignore" });
        restarted = true;
      })();
      const out = await runSweep({
        store,
        name: "restart",
        specFile: SPEC,
        space,
        trials: 5,
        sampler: { name: "random", seed: 2 },
        pruner: "none",
        executor: ex,
      });
      await chaos;
      await ex.close();
      expect(restarted).toBe(true);
      expect(out.trials.map((t) => t.state)).toEqual(Array(5).fill("complete"));
      const runs = await sweepRuns(store, "restart");
      expect(runs.size).toBe(5);
      for (const r of runs.values()) expect(r.status).toBe("finished");
    } finally {
      redis.kill("SIGKILL");
    }
  }, 240_000);

  it("mlloop attribute --queue: the workers train the coalition runs into the shared store; the attribution is the one-thread one", async () => {
    const attributionOf = async (storeLocation: string, store: Store, extra: string[]) => {
      const a = loadSpecFile(SPEC, ["model.C=0.001"]);
      const b = loadSpecFile(SPEC, ["model.C=1", "features.numeric.standardize=false", "model.max_iter=200"]);
      const ra = (await runExperiment({ spec: a.spec, baseDir: a.baseDir, store })).runId;
      const rb = (await runExperiment({ spec: b.spec, baseDir: b.baseDir, store, parent: ra })).runId;
      const r = await runCli(
        ["--store", storeLocation, "attribute", ra, rb, "--base-dir", a.baseDir, "--json", ...extra],
        { cwd: dir, env: { MLLOOP_ARTIFACTS: artifacts } },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as {
        plan: { toTrain: number };
        coalitionRuns: Array<{ runId: string }>;
        attribution: { players: unknown[] };
      };
    };
    const local = join(dir, "attr-local");
    const localStore = await openStore(local);
    stores.push(localStore);
    const reference = await attributionOf(local, localStore, []);

    const { url, store } = await freshStore();
    const q = `q-attr-${Date.now()}`;
    const ws = [startWorker(url, redisUrl(), q), startWorker(url, redisUrl(), q)];
    const queued = await attributionOf(url, store, ["--queue", redisUrl(), "--queue-name", q]);
    expect(queued.plan.toTrain).toBe(6);
    const trained = await Promise.all(queued.coalitionRuns.map((c) => store.getRun(c.runId)));
    const byWorkers = trained.filter((r) => ws.some((w) => w.pid === r.pid));
    // the two endpoints were run here; the six coalitions by the workers, both of which took part
    expect(byWorkers).toHaveLength(6);
    expect(new Set(byWorkers.map((r) => r.pid)).size).toBe(2);
    for (const r of trained) expect(r.status).toBe("finished");
    expect(queued.attribution.players).toEqual(reference.attribution.players);
  }, 240_000);

  it("kill -9 mid-run (attribute --queue): the coalition run is retried on the other worker under its id, recorded once; the attribution is unchanged", async () => {
    const a = loadSpecFile(SPEC, ["model.C=0.001"]);
    const b = loadSpecFile(SPEC, ["model.C=1", "features.numeric.standardize=false", "model.max_iter=200"]);
    const attribute = async (location: string, store: Store, extra: string[]) => {
      const ra = (await runExperiment({ spec: a.spec, baseDir: a.baseDir, store })).runId;
      const rb = (await runExperiment({ spec: b.spec, baseDir: b.baseDir, store, parent: ra })).runId;
      const r = await runCli(["--store", location, "attribute", ra, rb, "--base-dir", a.baseDir, "--json", ...extra], {
        cwd: dir,
        env: { MLLOOP_ARTIFACTS: artifacts },
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { coalitionRuns: Array<{ runId: string }>; attribution: { players: unknown[] } };
    };
    const local = join(dir, "attr-kill-local");
    const localStore = await openStore(local);
    stores.push(localStore);
    const reference = await attribute(local, localStore, []);

    const { url, store } = await freshStore();
    const q = `q-attr-kill-${Date.now()}`;
    const ws = [startWorker(url, redisUrl(), q), startWorker(url, redisUrl(), q)];
    // the killer: the first worker to start a run job dies with SIGKILL once that run's row is its own
    const killer = (async () => {
      const [w, runId] = await until("a worker starting a run job", () => {
        for (const x of ws) {
          const m = / start run (\S+) /.exec(x.log);
          if (m) return [x, m[1]!] as const;
        }
        return undefined;
      });
      await until(`run ${runId} written by pid ${w.pid}`, async () => {
        const run = await store.getRun(runId as never).catch(() => undefined);
        return run?.pid === w.pid ? true : undefined;
      });
      w.child.kill("SIGKILL");
      return { pid: w.pid, runId };
    })();
    const queued = await attribute(url, store, ["--queue", redisUrl(), "--queue-name", q]);
    const killed = await killer;
    expect(queued.attribution.players).toEqual(reference.attribution.players);
    // the killed run was finished by the other worker under the same id
    expect(queued.coalitionRuns.map((c) => c.runId)).toContain(killed.runId);
    const retried = await store.getRun(killed.runId as never);
    expect(retried.status).toBe("finished");
    expect(retried.pid).not.toBe(killed.pid);
    // recorded once: the two endpoints and the six coalitions, no duplicate of the killed attempt
    const all = await store.listRuns();
    expect(all).toHaveLength(8);
    expect(all.every((r) => r.status === "finished")).toBe(true);
  }, 240_000);

  it("mlloop loop --queue: a worker cross-validates the screening trials; the loop chooses as on its own threads", async () => {
    const wine = join(ROOT, "examples", "wine", "baseline.yaml");
    const loopOf = async (extra: string[]) => {
      const r = await runCli(
        ["--store", join(tempDir("mlloop-loop-q-"), "store"), "loop", wine, "--budget", "2", "--json", ...extra],
        { cwd: dir, env: { MLLOOP_ARTIFACTS: artifacts } },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as {
        attempts: Array<{ title: string; patch: string[]; devMetric: number; screened: unknown }>;
        rounds: Array<{ screen: { trials: number; top: unknown[] } }>;
      };
    };
    const local = await loopOf(["--workers", "0"]);
    const q = `q-loop-${Date.now()}`;
    // screening jobs read nothing from the store: the worker's own SQLite file will do
    const w = startWorker(join(tempDir("mlloop-loop-w-"), "store"), redisUrl(), q);
    const queued = await loopOf(["--queue", redisUrl(), "--queue-name", q]);
    const screenJobs = w.log.match(/ start screen /g)?.length ?? 0;
    expect(screenJobs).toBeGreaterThan(0);
    expect(screenJobs).toBeLessThanOrEqual(queued.rounds.reduce((n, r) => n + r.screen.trials, 0));
    expect(queued.attempts).toHaveLength(local.attempts.length);
    expect(queued.attempts.map((a) => [a.title, a.patch, a.devMetric, a.screened])).toEqual(
      local.attempts.map((a) => [a.title, a.patch, a.devMetric, a.screened]),
    );
    expect(queued.rounds.map((r) => r.screen.top)).toEqual(local.rounds.map((r) => r.screen.top));
  }, 300_000);
});
