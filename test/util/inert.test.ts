import { describe, expect, it } from "vitest";
import { inertBlock, inertJson, inertLine } from "../../src/util/inert.js";

describe("inert", () => {
  it("makes ESC, OSC, 8-bit CSI, bidi and zero-width characters visible", () => {
    expect(inertLine("a\u001b]0;pwned\u0007b")).toBe("a␛]0;pwned␇b");
    expect(inertLine("x\u009b2Jy")).toBe("x⟨U+009B⟩2Jy");
    expect(inertLine("safe\u202etxt.exe")).toBe("safe⟨U+202E⟩txt.exe");
    expect(inertLine("zero\u200bwidth")).toBe("zero⟨U+200B⟩width");
    expect(inertLine("del\u007f")).toBe("del␡");
  });
  it("keeps ordinary text, including astral characters, and handles newlines by context", () => {
    expect(inertLine("héllo 😀 日本")).toBe("héllo 😀 日本");
    expect(inertLine("a\nb\tc\r")).toBe("a b c ");
    expect(inertBlock("a\nb\tc\r\n")).toBe("a\nb\tc \n");
    expect(inertLine("lone \ud800 surrogate")).toBe("lone \ufffd surrogate");
  });
  it("JSON escapes C1 and bidi so the value round-trips but prints inert", () => {
    const v = { id: "a\u009b\u202eb\u001b" };
    const s = inertJson(v);
    // eslint-disable-next-line no-control-regex
    expect(s).not.toMatch(/[\u0080-\u009f\u202e\u001b]/);
    expect(JSON.parse(s)).toEqual(v);
  });
});
