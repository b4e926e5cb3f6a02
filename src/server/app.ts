/** The dashboard's Hono app: security headers everywhere, the guarded API under /api, the SPA elsewhere. */
import { Hono } from "hono";
import type { Store } from "../track/store.js";
import { apiRoutes } from "./api.js";
import { ApplyJobs } from "./apply-jobs.js";
import { errorResponse } from "./errors.js";
import { apiGuard, isLoopbackHost, securityHeaders } from "./security.js";
import { defaultWebRoot, staticHandler } from "./static-files.js";

export interface UiAppOptions {
  readonly store: Store;
  /** What an Apply child process is given as --store. */
  readonly storeLocation: string;
  /** The address the server is bound to: decides whether GETs need the token. */
  readonly host: string;
  readonly token: string;
  readonly webRoot?: string;
  readonly pollMs?: number;
  readonly cwd?: string;
}

export function createUiApp(options: UiAppOptions): { app: Hono; jobs: ApplyJobs } {
  const loopback = isLoopbackHost(options.host);
  const jobs = new ApplyJobs({ store: options.store, storeLocation: options.storeLocation, cwd: options.cwd });
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("/api/*", apiGuard({ host: options.host, token: options.token }));
  app.route("/api", apiRoutes({ store: options.store, jobs, tokenRequired: !loopback, pollMs: options.pollMs }));
  app.all("/api/*", (c) =>
    c.json({ error: { kind: "usage", message: `no API route ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.get("*", staticHandler(options.webRoot ?? defaultWebRoot(), loopback ? options.token : null));
  app.onError((err, c) => errorResponse(c, err));
  return { app, jobs };
}
