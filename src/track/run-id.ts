/**
 * Run ids: 12 hex digits of creation time (ms) + 8 random hex digits. Sorting ids sorts runs by
 * creation time, so "newest first" is an index scan; within one process ids strictly increase
 * (like ULID's monotonic mode) so that runs created in the same millisecond keep their order.
 */
import { randomBytes } from "node:crypto";
import { StoreError } from "../errors.js";

export type RunId = string & { readonly __brand: "RunId" };

export const RUN_ID_LENGTH = 20;
const TIME_DIGITS = 12;
const RUN_ID_PATTERN = /^[0-9a-f]{20}$/;
const PREFIX_PATTERN = /^[0-9a-f]{1,20}$/;

let lastTime = -1;
let lastRandom = 0;

export function newRunId(now: number = Date.now()): RunId {
  let time = Math.max(0, Math.floor(now));
  let random: number;
  if (time <= lastTime) {
    // Same millisecond (or a clock step back): keep order by counting up from the last id.
    time = lastTime;
    random = lastRandom + 1;
    if (random > 0xffffffff) {
      time += 1;
      random = randomBytes(4).readUInt32BE(0) >>> 1;
    }
  } else {
    // Top bit clear leaves room to count up within the millisecond.
    random = randomBytes(4).readUInt32BE(0) >>> 1;
  }
  lastTime = time;
  lastRandom = random;
  return (time.toString(16).padStart(TIME_DIGITS, "0") + random.toString(16).padStart(8, "0")) as RunId;
}

export function isRunId(value: string): value is RunId {
  return RUN_ID_PATTERN.test(value);
}

/** Checks a full id given by a caller (e.g. a parent id) and brands it. */
export function asRunId(value: string): RunId {
  if (!isRunId(value)) {
    throw new StoreError(
      `invalid run id "${value}": a run id is ${RUN_ID_LENGTH} lowercase hex characters (e.g. "019ac2b54e1f3a7c9d02")`,
    );
  }
  return value;
}

/** Normalises a user-typed id or prefix (trimmed, lowercased) and checks it is hex. */
export function normaliseRunIdPrefix(value: string): string {
  const prefix = value.trim().toLowerCase();
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new StoreError(
      `invalid run id "${value}": expected 1 to ${RUN_ID_LENGTH} hex characters (a run id or a unique prefix of one)`,
    );
  }
  return prefix;
}

/** Creation time encoded in an id. */
export function runIdTime(id: RunId): number {
  return parseInt(id.slice(0, TIME_DIGITS), 16);
}
