/**
 * The worker side of the local pool: imports the task module named by the pool, calls its
 * `init` once with the shared data, then answers each task message with `run(task)`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PoolTaskModule, WorkerRequest, WorkerResponse } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("pool-worker.ts must run in a worker thread");

const { module: moduleUrl, init } = workerData as { module: string; init: unknown; entry?: string };
const mod = (await import(moduleUrl)) as PoolTaskModule<unknown, unknown, unknown>;
const state = await mod.init(init);

port.on("message", (msg: WorkerRequest<unknown>) => {
  void (async () => {
    let reply: WorkerResponse<unknown>;
    let transfer: ArrayBuffer[] = [];
    try {
      const result = await mod.run(state, msg.task);
      reply = { id: msg.id, ok: true, result };
      if (mod.transfer) transfer = mod.transfer(result);
    } catch (e) {
      const err = e as Error;
      reply = { id: msg.id, ok: false, error: { name: err?.name ?? "Error", message: err?.message ?? String(e) } };
    }
    port.postMessage(reply, transfer);
  })();
});
port.postMessage({ ready: true });
