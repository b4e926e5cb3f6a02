/**
 * mlloop/import-boundaries: arrows point forward only (DESIGN.md §1). Each top-level folder of
 * src/ is a layer; a module may import its own layer and the layers below it, never one above.
 * `loop/` calls diagnose, then recommend, then runs; diagnose never imports recommend or loop;
 * utilities (worker pool, ordering helpers) live in util/.
 *
 * Folders not listed are not checked (a new folder should be added here, at its place in the flow).
 */
import { dirname, relative, resolve, sep } from "node:path";

/** Lowest first. Entries on one line are peers and may import each other. */
export const LAYERS = [
  ["util", "errors.ts", "version.ts"],
  ["spec"],
  ["data"],
  ["features"],
  ["models"],
  ["evaluate"],
  // the store records every stage's outputs (its run logger computes the evaluation it records)
  ["track"],
  // generic search machinery (spaces, halving, executors) on util only: recommend's screening uses it
  ["search"],
  ["diagnose"],
  ["recommend"],
  ["report"],
  ["compare"],
  ["loop"],
  ["predict"],
  ["cli", "server"],
  ["index.ts"],
];

const RANK = new Map(LAYERS.flatMap((names, rank) => names.map((n) => [n, rank])));

/** The layer (top-level entry under src/) of an absolute path, or null outside src/. */
function layerOf(file) {
  const parts = file.split(sep);
  const at = parts.lastIndexOf("src");
  if (at < 0 || at === parts.length - 1) return null;
  return parts[at + 1];
}

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: { description: "forbid imports from a later stage of the dataflow (DESIGN.md §1)" },
    messages: {
      upward:
        "upward import: src/{{from}} must not import src/{{to}} ({{to}} comes after {{from}} in the dataflow; " +
        "move the shared code down, e.g. to src/util/, or inject it)",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (from === null || !RANK.has(from)) return {};
    const check = (node, source) => {
      if (typeof source !== "string" || !source.startsWith(".")) return;
      const target = resolve(dirname(file), source);
      const srcRoot = file.slice(0, file.lastIndexOf(`${sep}src${sep}`) + 4);
      if (relative(srcRoot, target).startsWith("..")) return;
      const to = layerOf(target);
      if (to === null || to === from || !RANK.has(to)) return;
      if (RANK.get(to) > RANK.get(from)) context.report({ node, messageId: "upward", data: { from, to } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};

export default { rules: { "import-boundaries": rule } };
