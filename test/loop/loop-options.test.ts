import { describe, expect, it } from "vitest";
import { parseBudget, parseDuration, parseTarget } from "../../src/loop/loop-options.js";

describe("loop options", () => {
  it("parses targets, budgets and durations", () => {
    expect(parseTarget("f1>=0.97")).toEqual({ metric: "f1", op: ">=", value: 0.97 });
    expect(parseTarget(" log_loss < 0.2 ")).toEqual({ metric: "log_loss", op: "<", value: 0.2 });
    expect(parseBudget("8")).toBe(8);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("90s")).toBe(90_000);
  });

  it("rejects an unknown metric, naming the allowed ones", () => {
    expect(() => parseTarget("f2>=0.9")).toThrow(/unknown metric "f2" \(allowed: f1, accuracy/);
    expect(() => parseTarget("f1=>0.9")).toThrow(/expected METRIC OP VALUE/);
  });

  it("rejects a budget of 0 and durations that are not durations", () => {
    expect(() => parseBudget("0")).toThrow(/--budget "0": expected a whole number of full runs, at least 1/);
    expect(() => parseBudget("2.5")).toThrow(/at least 1/);
    expect(() => parseDuration("soon")).toThrow(/--time "soon"/);
  });
});
