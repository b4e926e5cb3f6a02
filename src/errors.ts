/**
 * User-facing error types. Every error a person can fix (a typo in a spec, a bad row in a CSV, an
 * unknown run id) is one of these: the CLI prints `message` alone (no stack) and exits with
 * `exitCode`. Anything else is a bug and is shown with its stack under --verbose.
 */
export type ErrorKind = "spec" | "data" | "store" | "usage" | "model" | "compare" | "environment" | "interrupted";

export class MlloopError extends Error {
  readonly kind: ErrorKind;
  readonly exitCode: number;
  /** Where the problem is: a spec key path, "file:line:column", an example id… */
  readonly where?: string;
  constructor(kind: ErrorKind, message: string, options?: { where?: string; exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.where = options?.where;
    this.exitCode = options?.exitCode ?? 2;
  }
}

/** The experiment spec is invalid: names the key path, the bad value and what is allowed. */
export class SpecError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("spec", message, { ...options, exitCode: 2 });
  }
}

/** Input data violates its contract: names the file, line, column or example id. */
export class DataError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("data", message, { ...options, exitCode: 3 });
  }
}

/** The store cannot do what was asked (unknown run id, unreadable file…). */
export class StoreError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("store", message, { ...options, exitCode: 4 });
  }
}

/** A model could not be fitted as asked (e.g. one class only, NaN in the features). */
export class ModelError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("model", message, { ...options, exitCode: 5 });
  }
}

/** A command-line usage error (missing argument, bad flag value). */
export class UsageError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("usage", message, { ...options, exitCode: 64 });
  }
}

/** Two runs cannot be compared as asked (different evaluation sets…). */
export class CompareError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("compare", message, { ...options, exitCode: 6 });
  }
}

/**
 * The machine refused (a full disk, a read-only file system, no permission, a missing folder):
 * nothing the spec or data did wrong, and not a bug. Exit 74 (EX_IOERR).
 */
export class EnvironmentError extends MlloopError {
  constructor(message: string, options?: { where?: string; cause?: unknown }) {
    super("environment", message, { ...options, exitCode: 74 });
  }
}

/** The work was stopped by a signal (Ctrl-C, SIGTERM): exit 128 + the signal's number, as a shell reports it. */
export class InterruptedError extends MlloopError {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super("interrupted", `interrupted (${signal})`, {
      exitCode: signal === "SIGTERM" ? 143 : signal === "SIGHUP" ? 129 : 130,
    });
    this.signal = signal;
  }
}

/** A Node system error (ENOSPC, EACCES, EROFS…) from a file or stream operation. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return e instanceof Error && typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/** "no space left on device" from Node's "ENOSPC: no space left on device, write". */
export function systemErrorReason(e: NodeJS.ErrnoException): string {
  const m = /^E[A-Z0-9]+: ([^,]+)/.exec(e.message);
  return `${m?.[1] ?? e.message} (${e.code ?? "error"})`;
}

/** A system error as an EnvironmentError: what was being done, to which file, and why it failed. */
export function environmentError(e: NodeJS.ErrnoException, doing?: string): EnvironmentError {
  const target = e.path;
  const what = doing ?? (target === undefined ? (e.syscall ?? "do that") : `${e.syscall ?? "use"} ${target}`);
  return new EnvironmentError(`cannot ${what}: ${systemErrorReason(e)}`, { where: target, cause: e });
}

export function isMlloopError(e: unknown): e is MlloopError {
  return e instanceof MlloopError;
}
