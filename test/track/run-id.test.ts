import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors.js";
import { asRunId, isRunId, newRunId, runIdTime } from "../../src/track/run-id.js";

describe("run ids", () => {
  it("are 12 hex digits of milliseconds then 8 random hex digits", () => {
    const id = newRunId(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(id).toMatch(/^[0-9a-f]{20}$/);
    // 2026-01-02T03:04:05.678Z = 1767323045678 ms = 0x019b7ca98f2e (python3: format(int(datetime(2026,1,2,3,4,5,678000,tzinfo=timezone.utc).timestamp()*1000), "012x"))
    expect(id.slice(0, 12)).toBe("019b7ca98f2e");
    expect(runIdTime(id)).toBe(1767323045678);
  });

  it("strictly increase within a process, even within one millisecond or when the clock steps back", () => {
    const t = Date.UTC(2030, 5, 1);
    const ids = [newRunId(t), newRunId(t), newRunId(t), newRunId(t - 5_000), newRunId(t + 1)];
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(ids.slice(0, 4).every((id) => runIdTime(id) === t)).toBe(true);
  });

  it("checks full ids given by callers", () => {
    expect(isRunId("019b7cd5b82e00000001")).toBe(true);
    expect(isRunId("019B7CD5B82E00000001")).toBe(false);
    expect(asRunId("019b7cd5b82e00000001")).toBe("019b7cd5b82e00000001");
    expect(() => asRunId("019b7cd5")).toThrow(
      new StoreError(
        'invalid run id "019b7cd5": a run id is 20 lowercase hex characters (e.g. "019ac2b54e1f3a7c9d02")',
      ),
    );
  });
});
