import { describe, expect, it } from "vitest";
import { groupThousands } from "../../src/util/format.js";

describe("groupThousands", () => {
  it("writes integers as toLocaleString('en-US') does", () => {
    const cases = [0, -0, 7, 999, 1000, 6046, 22943, -1234, 1_000_000, 123_456_789, Number.MAX_SAFE_INTEGER];
    for (let n = 0; n < 5000; n += 37) cases.push(n * n, -n * 101);
    for (const n of cases) expect(groupThousands(n), String(n)).toBe(n.toLocaleString("en-US"));
  });

  it("leaves anything but a safe integer to toLocaleString", () => {
    for (const n of [1.5, 1234.5678, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(groupThousands(n)).toBe(n.toLocaleString("en-US"));
    }
  });
});
