/**
 * docs/exit-codes.md is the one table of exit codes: each error type it names must exist and exit
 * with the code the table gives, and every error type in src/errors.ts must be in the table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import { ROOT } from "../cli/cli-helpers.js";

const rows = readFileSync(join(ROOT, "docs", "exit-codes.md"), "utf8")
  .split("\n")
  .map((line) => /^\| (\d+) \| ([a-z]+) \| `?([A-Za-z]+|—|any other error)`? \|/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ code: Number(m[1]), kind: m[2]!, type: m[3]! }));

function instance(type: string): errors.MlloopError {
  if (type === "InterruptedError") return new errors.InterruptedError("SIGINT");
  const Ctor = (errors as unknown as Record<string, new (message: string) => errors.MlloopError>)[type];
  if (Ctor === undefined) throw new Error(`docs/exit-codes.md names ${type}, which src/errors.ts does not export`);
  return new Ctor("x");
}

describe("docs/exit-codes.md", () => {
  it("has the table", () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it("gives each error type the code and kind the code gives it", () => {
    for (const row of rows.filter((r) => r.type.endsWith("Error"))) {
      const e = instance(row.type);
      expect(e.exitCode, row.type).toBe(row.code);
      expect(e.kind, row.type).toBe(row.kind);
    }
  });

  it("lists every error type src/errors.ts exports", () => {
    const documented = new Set(rows.map((r) => r.type));
    const exported = Object.entries(errors)
      .filter(([name, v]) => typeof v === "function" && /Error$/.test(name) && name !== "MlloopError")
      .filter(([, v]) => (v as { prototype: unknown }).prototype instanceof errors.MlloopError)
      .map(([name]) => name);
    expect(exported.length).toBeGreaterThanOrEqual(8);
    for (const name of exported) expect(documented.has(name), `${name} is not in docs/exit-codes.md`).toBe(true);
  });

  it("signals map to 128 + their number", () => {
    expect(new errors.InterruptedError("SIGINT").exitCode).toBe(130);
    expect(new errors.InterruptedError("SIGTERM").exitCode).toBe(143);
    expect(new errors.InterruptedError("SIGHUP").exitCode).toBe(129);
  });
});
