/**
 * A small HTTP service that scores posted messages with a run's pipeline (Hono). It follows an
 * alias: given `spam-filter@production`, it checks where the alias points at most every
 * `refreshMs` and swaps in the new version's pipeline when it moved — no restart after
 * `mlloop model promote`.
 *
 *   POST /score            body: one raw RFC 822 message (any content type but JSON)
 *                          → { id, score, decision, probabilities, model }
 *   POST /score            body: JSON { "messages": [{ "id": "a", "raw": "From: …" }, …] }
 *                          or, for a CSV/JSONL model, { "rows": [{ "text": "…", "amount": 3 }, …] }
 *                          → { predictions: [...], model }
 *   ?explain=1             adds the features that pushed each example towards its decision
 *   GET  /health           → { ok, model }
 *
 * Bad input is a 400 with { error } saying what and where; the pipeline never sees it.
 * (In your own project, import these from "mlloop" instead of ../../src/index.js.)
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  isMlloopError,
  loadPipeline,
  messageExample,
  rowExample,
  type Example,
  type Pipeline,
  type Store,
} from "../../src/index.js";

export interface ServiceOptions {
  /** How often to re-read where an alias points (ms); 0 = never. Default 10 s. */
  readonly refreshMs?: number;
  /** Largest request body in bytes (default 10 MB). */
  readonly maxBodyBytes?: number;
  /** Most examples per request (default 10,000). */
  readonly maxExamples?: number;
}

/** The pipeline a reference names now, re-resolved at most every `refreshMs`. */
export class PipelineHolder {
  private current: Pipeline;
  private checkedAt = Date.now();
  private checking: Promise<void> | null = null;

  private constructor(
    private readonly store: Store,
    readonly ref: string,
    first: Pipeline,
    private readonly refreshMs: number,
  ) {
    this.current = first;
  }

  static async open(store: Store, ref: string, refreshMs = 10_000): Promise<PipelineHolder> {
    return new PipelineHolder(store, ref, await loadPipeline(store, ref), refreshMs);
  }

  /** The pipeline to use for this request (swapped first when the alias moved). */
  async get(): Promise<Pipeline> {
    const r = this.current.ref;
    if (r.kind !== "alias" || this.refreshMs <= 0 || Date.now() - this.checkedAt < this.refreshMs) return this.current;
    this.checking ??= (async () => {
      try {
        const now = await this.store.getModelAlias(r.name, r.alias);
        if (now !== null && now.version !== r.version) this.current = await loadPipeline(this.store, this.ref);
      } finally {
        this.checkedAt = Date.now();
        this.checking = null;
      }
    })();
    await this.checking;
    return this.current;
  }
}

function modelInfo(p: Pipeline): Record<string, unknown> {
  const r = p.ref;
  return r.kind === "alias"
    ? { name: r.name, alias: r.alias, version: r.version, runId: p.runId }
    : r.kind === "version"
      ? { name: r.name, version: r.version, runId: p.runId }
      : { runId: p.runId };
}

class BadRequest extends Error {}

function examplesFromJson(body: unknown, p: Pipeline, max: number): Example[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new BadRequest('expected a JSON object with "messages" (email models) or "rows" (CSV/JSONL models)');
  }
  const b = body as { messages?: unknown; rows?: unknown };
  const contract = p.contract;
  const list = contract.kind === "email" ? b.messages : b.rows;
  const key = contract.kind === "email" ? "messages" : "rows";
  if (!Array.isArray(list)) {
    throw new BadRequest(
      `this model takes ${contract.kind === "email" ? 'raw messages: { "messages": [{ "id": "…", "raw": "…" }] }' : 'rows: { "rows": [{ "<column>": … }] }'}; "${key}" is missing or not an array`,
    );
  }
  if (list.length > max) throw new BadRequest(`${list.length} examples in one request; at most ${max}`);
  return list.map((item, i) => {
    const where = `${key}[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw new BadRequest(`${where}: expected an object`);
    const o = item as Record<string, unknown>;
    if (contract.kind === "email") {
      if (typeof o["raw"] !== "string") throw new BadRequest(`${where}.raw: expected the raw message as a string`);
      return messageExample(typeof o["id"] === "string" ? o["id"] : String(i), o["raw"]);
    }
    return rowExample(contract, (c) => o[c], where, String(i), JSON.stringify(o));
  });
}

export function createApp(holder: PipelineHolder, options: ServiceOptions = {}): Hono {
  const app = new Hono();
  const maxExamples = options.maxExamples ?? 10_000;

  app.get("/health", async (c) => c.json({ ok: true, model: modelInfo(await holder.get()) }));

  app.post(
    "/score",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 10 * 1024 * 1024,
      onError: (c) => c.json({ error: `request body over ${options.maxBodyBytes ?? 10 * 1024 * 1024} bytes` }, 413),
    }),
    async (c) => {
      const pipeline = await holder.get();
      const explain = c.req.query("explain") === "1" || c.req.query("explain") === "true";
      const isJson = (c.req.header("content-type") ?? "").includes("application/json");
      try {
        let examples: Example[];
        if (isJson) {
          let body: unknown;
          try {
            body = await c.req.json();
          } catch (e) {
            throw new BadRequest(`the body is not valid JSON (${(e as Error).message})`);
          }
          examples = examplesFromJson(body, pipeline, maxExamples);
        } else {
          if (pipeline.contract.kind !== "email") {
            throw new BadRequest(
              'this model takes rows: post JSON { "rows": [...] } with Content-Type: application/json',
            );
          }
          const raw = await c.req.text();
          if (raw.trim() === "") throw new BadRequest("the body is empty; post one raw message");
          examples = [messageExample("message", raw)];
        }
        const out = explain ? examples.map((e) => pipeline.explain(e)) : pipeline.predict(examples);
        const model = modelInfo(pipeline);
        return isJson ? c.json({ predictions: out, model }) : c.json({ ...out[0]!, model });
      } catch (e) {
        if (e instanceof BadRequest || isMlloopError(e)) return c.json({ error: e.message }, 400);
        throw e;
      }
    },
  );
  return app;
}
