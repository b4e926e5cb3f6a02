/** API errors as JSON with the message the CLI prints for the same mistake (never a stack trace). */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isMlloopError, type MlloopError } from "../errors.js";

export interface ApiError {
  readonly error: { readonly kind: string; readonly message: string; readonly where?: string };
}

function statusOf(e: MlloopError): ContentfulStatusCode {
  if (e.kind === "store" && /^(no run|run id prefix)/i.test(e.message)) return 404;
  if (e.kind === "compare") return 422;
  if (e.kind === "store") return 500;
  return 400;
}

export function errorResponse(c: Context, err: unknown): Response {
  if (isMlloopError(err)) {
    const body: ApiError = {
      error: { kind: err.kind, message: err.message, ...(err.where !== undefined ? { where: err.where } : {}) },
    };
    return c.json(body, statusOf(err));
  }
  const message = err instanceof Error ? err.message : String(err);
  return c.json({ error: { kind: "internal", message: `internal error: ${message}` } } satisfies ApiError, 500);
}
