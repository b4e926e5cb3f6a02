/**
 * One sanitiser for every string that came from data or users (example ids, file names, group and
 * slice values, run names, notes, tags, experiment names, learned feature names, email text) and
 * is about to reach a terminal, a log or a JSON document.
 *
 * Why: a hostile `From:` header or CSV id can carry ESC sequences (OSC title, screen clear, OSC 8
 * links), 8-bit CSI (U+009B), or bidi overrides that reorder what a reviewer reads. Each such code
 * point is replaced by a visible stand-in, so the text stays readable and can never act:
 *   C0 controls U+0000–U+001F → the Control Pictures block (ESC → ␛, NUL → ␀), except that
 *   tab, LF and CR become a single space in one-line contexts (`inertLine`) and are kept by
 *   `inertBlock`; DEL → ␡; C1 controls U+0080–U+009F, bidi controls and zero-width characters →
 *   `⟨U+XXXX⟩`; lone surrogates → U+FFFD.
 */

const BIDI_AND_INVISIBLE = new Set<number>([
  0x061c, // ARABIC LETTER MARK
  0x200b, // ZERO WIDTH SPACE
  0x200c, // ZERO WIDTH NON-JOINER
  0x200d, // ZERO WIDTH JOINER
  0x200e, // LEFT-TO-RIGHT MARK
  0x200f, // RIGHT-TO-LEFT MARK
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e, // LRE RLE PDF LRO RLO
  0x2060, // WORD JOINER
  0x2061,
  0x2062,
  0x2063,
  0x2064,
  0x2066,
  0x2067,
  0x2068,
  0x2069, // LRI RLI FSI PDI
  0xfeff, // ZERO WIDTH NO-BREAK SPACE (BOM)
]);

/** True when the code point must not reach a terminal raw. */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    cp === 0x7f ||
    (cp >= 0x80 && cp <= 0x9f) ||
    BIDI_AND_INVISIBLE.has(cp) ||
    (cp >= 0xd800 && cp <= 0xdfff)
  );
}

function standIn(cp: number): string {
  if (cp < 0x20) return String.fromCodePoint(0x2400 + cp);
  if (cp === 0x7f) return "\u2421";
  if (cp >= 0xd800 && cp <= 0xdfff) return "\ufffd";
  return `⟨U+${cp.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

// Fast path: most strings are plain; one regex test avoids the per-code-point walk.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]/;

function sanitise(text: string, keepNewlines: boolean): string {
  if (!UNSAFE.test(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A valid surrogate pair is an ordinary astral code point: copy both halves.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
        continue;
      }
    }
    if (!isUnsafeCodePoint(c)) {
      out += text[i]!;
    } else if (c === 0x0a || c === 0x0d || c === 0x09) {
      out += keepNewlines && c !== 0x0d ? text[i]! : " ";
    } else {
      out += standIn(c);
    }
  }
  return out;
}

/** For one-line contexts (table cells, headings, ids): newlines and tabs become spaces. */
export function inertLine(text: string): string {
  return sanitise(text, false);
}

/** For multi-line text (notes, previews printed as blocks): newlines and tabs kept. */
export function inertBlock(text: string): string {
  return sanitise(text, true);
}

/**
 * JSON for scripts: `JSON.stringify` escapes C0 controls but leaves C1 controls, bidi and
 * zero-width characters raw, and a terminal showing `--json` output would act on them. Escape
 * them as \uXXXX so the JSON parses to the same value and prints inert.
 */
export function inertJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space) ?? "null";
  return json.replace(
    /[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
