/**
 * Runs the scoring service on 127.0.0.1 (set HOST to bind elsewhere, behind your own auth).
 *
 *   npx tsx examples/service/server.ts spam-filter@production
 *   MLLOOP_STORE=.mlloop/mlloop.db PORT=8787 npx tsx examples/service/server.ts 0193f2
 *   curl --data-binary @message.eml http://127.0.0.1:8787/score
 */
import { serve } from "@hono/node-server";
import { isMlloopError, openStore } from "../../src/index.js";
import { createApp, PipelineHolder } from "./app.js";

const ref = process.argv[2];
if (ref === undefined) {
  process.stderr.write("usage: server.ts RUN|NAME@ALIAS   (env: MLLOOP_STORE, PORT=8787, HOST=127.0.0.1)\n");
  process.exit(64);
}
try {
  const store = await openStore(process.env["MLLOOP_STORE"]);
  const holder = await PipelineHolder.open(store, ref);
  const port = Number(process.env["PORT"] ?? 8787);
  const hostname = process.env["HOST"] ?? "127.0.0.1";
  serve({ fetch: createApp(holder).fetch, port, hostname }, (info) => {
    const p = holder.ref;
    process.stderr.write(`scoring with ${p} on http://${hostname}:${info.port}/score\n`);
  });
} catch (e) {
  if (!isMlloopError(e)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(e.exitCode);
}
