/**
 * A guard for the `/regex/` a user gives `runs --where`: JavaScript's backtracking engine takes
 * exponential time on a repeated group that holds a quantifier of varying count (`/^(a+)+$/` on
 * "aaaa…a!"), and a query must not hang the CLI or the dashboard's server. Two layers:
 * - when the query is parsed, such patterns (`(a+)+`, `(a*)*`, `(\w+\s?)*`, `(a?){2,}`) are refused
 *   with a hint; a group repeated once at most (`(ab+)?`) and exact counts (`(a{2}){20}`) are fine;
 * - when a pattern is matched (`boundedTest`), V8 falls back to its linear-time engine once a match
 *   backtracks too much (polynomial `a*a*a*b`, overlapping `(a|a)*`): those simply finish. Patterns
 *   that engine cannot run (backreferences, lookarounds, the i and u flags) run under a time limit
 *   per value, and a match that exceeds it stops the query with a usage error.
 */
import { setFlagsFromString } from "node:v8";
import { createContext, Script } from "node:vm";
import { UsageError } from "../errors.js";

// Only changes what happens after excessive backtracking (V8's default threshold, 50,000
// backtracks): a pattern the linear engine supports gets the same answer in linear time.
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");

/** How long one value may take to match. */
export const MATCH_LIMIT_MS = 1_000;

// One context and one compiled script for every match: a timeout needs vm, and vm's cost is
// the context, not the call (about 40 µs a call with a timeout).
const matchContext = createContext({ re: /$^/, text: "", matched: false });
const matchScript = new Script("matched = re.test(text)");

/** `re.test(text)`, stopped after MATCH_LIMIT_MS with a UsageError naming the pattern. */
export function boundedTest(re: RegExp, text: string): boolean {
  matchContext["re"] = re;
  matchContext["text"] = text;
  try {
    matchScript.runInContext(matchContext, { timeout: MATCH_LIMIT_MS });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      throw new UsageError(
        `regular expression ${String(re)} took longer than ${MATCH_LIMIT_MS / 1000} s on one value ` +
          `(${text.length} characters): it backtracks too much; simplify it (no backreferences, lookarounds or ` +
          `overlapping alternatives such as (a|a)*), or match a plain substring (notes ~ "text")`,
      );
    }
    throw e;
  } finally {
    matchContext["re"] = /$^/;
    matchContext["text"] = "";
  }
  return matchContext["matched"] === true;
}

interface Frame {
  /** The group holds a quantifier whose count varies (*, +, ?, {n,}, {n,m} with m > n). */
  repeats: boolean;
}

/**
 * The quantifier starting at `i`: whether its atom may occur more than once (`repeats`), whether
 * its count varies (`varies`: the engine has choices to backtrack over), and its length.
 */
function quantifierAt(src: string, i: number): { repeats: boolean; varies: boolean; length: number } | null {
  const c = src[i];
  let length: number;
  let repeats: boolean;
  let varies: boolean;
  if (c === "*" || c === "+") [length, repeats, varies] = [1, true, true];
  else if (c === "?") [length, repeats, varies] = [1, false, true];
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (m === null) return null;
    length = m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    [repeats, varies] = [max > 1, max > min];
  } else return null;
  if (src[i + length] === "?") length++; // lazy
  return { repeats, varies, length };
}

/** Length of the group opener at `i` ("(", "(?:", "(?=", "(?<name>"…). */
function groupOpenerLength(src: string, i: number): number {
  if (src[i + 1] !== "?") return 1;
  const m = /^\(\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>)/.exec(src.slice(i));
  return m === null ? 1 : m[0].length;
}

/** Index just past the character class starting at `i` ("[…]"). */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === "^") j++;
  if (src[j] === "]") j++;
  while (j < src.length && src[j] !== "]") j += src[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** Why the pattern risks catastrophic backtracking, or null when it does not (by the rule above). */
export function catastrophicBacktracking(src: string): string | null {
  const stack: Frame[] = [{ repeats: false }];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    let atomRepeats = false; // the atom just read holds a repeating quantifier inside (a group)
    if (c === "(") {
      stack.push({ repeats: false });
      i += groupOpenerLength(src, i);
      continue;
    } else if (c === ")") {
      const inner = stack.length > 1 ? stack.pop()! : { repeats: false };
      atomRepeats = inner.repeats;
      i++;
    } else if (c === "|") {
      i++;
      continue;
    } else if (c === "[") i = classEnd(src, i);
    else if (c === "\\") i += 2;
    else i++;
    const q = quantifierAt(src, i);
    const frame = stack[stack.length - 1]!;
    if (q !== null) {
      if (q.repeats && atomRepeats)
        return `a repeated group repeats a quantifier inside it (near character ${i + 1}): it can take exponential time`;
      frame.repeats ||= q.varies || atomRepeats;
      i += q.length;
    } else frame.repeats ||= atomRepeats;
  }
  return null;
}
