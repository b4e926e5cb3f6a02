/**
 * The dashboard's security rules, in one place:
 * - Bound to a loopback address (the default), the API answers GETs from this machine without a
 *   token; the Host header must name a loopback host, so that a DNS-rebinding page cannot read it.
 * - Bound anywhere else, every API call needs the token (`Authorization: Bearer …`, or `?token=`
 *   for EventSource, which cannot set headers).
 * - State-changing calls (POST) always need the token and a same-origin request.
 * - No CORS: no Access-Control-* header is ever sent, so other origins cannot read responses.
 * - A strict Content-Security-Policy on every response: scripts and styles from the app only,
 *   no inline script, no frames, no plugins, connections to this origin only.
 */
import { timingSafeEqual, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";

export const TOKEN_ENV_VAR = "MLLOOP_UI_TOKEN";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function newToken(): string {
  return randomBytes(24).toString("hex");
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SecurityOptions {
  /** The address the server is bound to. */
  readonly host: string;
  readonly token: string;
}

function jsonError(c: Context, status: 401 | 403, message: string): Response {
  return c.json({ error: { kind: "auth", message } }, status);
}

function givenToken(c: Context): string | null {
  const auth = c.req.header("authorization");
  if (auth !== undefined && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, "").trim();
  if (c.req.method === "GET") return c.req.query("token") ?? null;
  return null;
}

/** The host name of a Host header ("127.0.0.1:7077" → "127.0.0.1", "[::1]:80" → "[::1]"). */
function hostName(header: string): string {
  return header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.replace(/:\d+$/, "");
}

/** Headers on every response (the app, the API, artifacts). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("X-Frame-Options", "DENY");
    c.res.headers.set("Referrer-Policy", "no-referrer");
    c.res.headers.set("Cross-Origin-Opener-Policy", "same-origin");
    c.res.headers.set("Cross-Origin-Resource-Policy", "same-origin");
  };
}

/** Host check (loopback binds), token check, same-origin check for POST: applied to /api/*. */
export function apiGuard(options: SecurityOptions): MiddlewareHandler {
  const loopback = isLoopbackHost(options.host);
  return async (c, next) => {
    const host = c.req.header("host") ?? "";
    if (loopback && !isLoopbackHost(hostName(host))) {
      return jsonError(c, 403, `this dashboard answers requests to a loopback address only (Host: ${host || "none"})`);
    }
    const token = givenToken(c);
    const authorised = token !== null && sameToken(token, options.token);
    const stateChanging = c.req.method !== "GET" && c.req.method !== "HEAD";
    if ((!loopback || stateChanging) && !authorised) {
      return jsonError(
        c,
        401,
        token === null
          ? "this call needs the dashboard's token (Authorization: Bearer <token>); open the URL `mlloop ui` printed"
          : "wrong token",
      );
    }
    if (stateChanging) {
      // a browser always sends Origin on a POST; Sec-Fetch-Site tells cross-site requests apart
      const origin = c.req.header("origin");
      const fetchSite = c.req.header("sec-fetch-site");
      const expected = `${new URL(c.req.url).protocol}//${host}`;
      if (origin === undefined || origin !== expected || (fetchSite !== undefined && fetchSite !== "same-origin")) {
        return jsonError(c, 403, `cross-origin request refused (Origin: ${origin ?? "none"})`);
      }
    }
    await next();
  };
}
