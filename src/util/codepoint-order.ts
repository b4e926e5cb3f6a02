/**
 * Python sorts strings by code point; JavaScript's `<` compares UTF-16 code units, which disagrees
 * when a supplementary character (a surrogate pair, 0xD800–0xDFFF) meets a BMP character at or
 * above 0xE000. scikit-learn's vocabulary order is Python's `sorted`, so column order follows this.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // surrogates go above everything in the BMP; 0xE000–0xFFFF move down below them
        x = x < 0xe000 ? x + 0x2000 : x - 0x800;
        y = y < 0xe000 ? y + 0x2000 : y - 0x800;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}
