/** Durations for people: "830 ms", "4.26 s", "2 min 5 s" (terminal output and reports alike). */
export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * An integer with thousands separators, exactly as `n.toLocaleString("en-US")` writes it
 * ("6,046"), without ICU: its number formatter took ~10 ms to set up in a fresh process, a
 * fortieth of a warm `mlloop run`. Anything but a safe integer goes to toLocaleString.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return n < 0 || Object.is(n, -0) ? `-${out}` : out;
}
