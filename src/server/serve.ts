/** `mlloop ui`'s server: the app on @hono/node-server, bound to one address, closed cleanly. */
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { UsageError } from "../errors.js";
import type { Store } from "../track/store.js";
import { createUiApp } from "./app.js";
import { isLoopbackHost, newToken, TOKEN_ENV_VAR } from "./security.js";

export interface UiServerOptions {
  readonly store: Store;
  readonly storeLocation: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Default: $MLLOOP_UI_TOKEN, else a fresh random token. */
  readonly token?: string;
  readonly webRoot?: string;
  readonly pollMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface UiServer {
  /** The URL to open; for a non-loopback bind it carries the token in its fragment. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly tokenRequired: boolean;
  readonly tokenFromEnv: boolean;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const env = options.env ?? process.env;
  const envToken = env[TOKEN_ENV_VAR]?.trim();
  const token = options.token ?? (envToken ? envToken : newToken());
  if (token.length < 16) throw new UsageError(`${TOKEN_ENV_VAR}: a token needs at least 16 characters`);
  const { app, jobs } = createUiApp({
    store: options.store,
    storeLocation: options.storeLocation,
    host,
    token,
    webRoot: options.webRoot,
    pollMs: options.pollMs,
  });
  const server: ServerType = await new Promise((resolvePromise, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 7077 }, () => resolvePromise(s));
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new UsageError(`port ${options.port} on ${host} is in use: choose another with --port`)
          : e.code === "EADDRNOTAVAIL"
            ? new UsageError(`--host ${host}: not an address of this machine`)
            : e,
      ),
    );
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${shownHost === "0.0.0.0" || shownHost === "[::]" ? "127.0.0.1" : shownHost}:${address.port}`;
  const tokenRequired = !isLoopbackHost(host);
  return {
    origin,
    url: tokenRequired ? `${origin}/#token=${token}` : `${origin}/`,
    token,
    tokenRequired,
    tokenFromEnv: options.token === undefined && Boolean(envToken),
    close: async () => {
      jobs.stopAll();
      await new Promise<void>((r) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => r());
      });
    },
  };
}
