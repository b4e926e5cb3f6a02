/**
 * Deciding that a `running` run has crashed. Shared by every backend so they all agree: the run's
 * process is dead (checkable only on the same host), or its heartbeat is older than the stale
 * threshold (any host).
 */
import { hostname } from "node:os";

export const DEFAULT_STALE_AFTER_MS = 30_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;

export const thisHost = hostname();

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LivenessFacts {
  readonly pid: number | null;
  readonly host: string | null;
  readonly heartbeatAt: number | null;
  readonly startedAt: number | null;
  readonly createdAt: number;
}

/** Why a running run is considered crashed, or null when it may still be alive. */
export function crashReason(run: LivenessFacts, now: number, staleAfterMs: number): string | null {
  const last = run.heartbeatAt ?? run.startedAt ?? run.createdAt;
  const lastText = new Date(last).toISOString();
  if (run.host === thisHost && run.pid !== null && run.pid !== process.pid && !processIsAlive(run.pid)) {
    return `process ${run.pid} on ${run.host} ended without finishing the run (last heartbeat ${lastText})`;
  }
  if (now - last > staleAfterMs) {
    const seconds = Math.round((now - last) / 1000);
    return `no heartbeat for ${seconds} s (last ${lastText}, pid ${run.pid ?? "?"} on ${run.host ?? "?"})`;
  }
  return null;
}
