/**
 * A write whose COMMIT reached PostgreSQL but whose acknowledgement never came back (the network
 * dropped the connection in between) is replayed by the store; the replay must find what the
 * first attempt committed rather than do it again. Between the store and a real server sits a TCP
 * proxy that, once armed, cuts the connection instead of forwarding the server's `COMMIT` reply.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../../src/track/postgres-store.js";
import { createTestDatabase, type TestDatabase } from "./pg-test-db.js";

/** CommandComplete ('C', length 11, "COMMIT\0"): the server saying the transaction is committed. */
const COMMIT_REPLY = Buffer.from([0x43, 0, 0, 0, 11, ...Buffer.from("COMMIT"), 0]);

function lossyProxy(target: URL): Promise<{ server: Server; port: number; armNextCommit(): Promise<void> }> {
  let armed: (() => void) | null = null;
  const server = createServer((client: Socket) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (armed !== null && chunk.includes(COMMIT_REPLY)) {
        // the server has committed; the client never hears of it
        const done = armed;
        armed = null;
        client.destroy();
        upstream.destroy();
        done();
        return;
      }
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        armNextCommit: () => new Promise<void>((cut) => (armed = cut)),
      }),
    ),
  );
}

describe("PostgreSQL: a commit whose acknowledgement is lost", () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof lossyProxy>>;
  let store: PostgresStore;

  beforeAll(async () => {
    db = await createTestDatabase("mlloop_lost_ack");
    proxy = await lossyProxy(new URL(db.url));
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    store = await openPostgresStore(viaProxy.toString());
  });
  afterAll(async () => {
    await store?.close();
    proxy?.server.close();
    await db?.drop();
  });

  it("a promotion is recorded once in the model's history", async () => {
    const run = await store.createRun({ experiment: "e" });
    await store.finishRun(run.id, "finished");
    const cut = proxy.armNextCommit();
    const promotion = await store.promoteModel({
      name: "spam",
      alias: "prod",
      runId: run.id,
      promotedBy: "ci",
      metrics: { dev: { f1: 0.97 } },
    });
    await cut;
    expect([promotion.version, promotion.alias]).toEqual([1, "prod"]);
    const history = await store.modelHistory("spam");
    expect(history.map((h) => [h.version, h.alias, h.runId])).toEqual([[1, "prod", run.id]]);
  });
});
