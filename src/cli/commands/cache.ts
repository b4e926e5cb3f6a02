/** `mlloop cache info|prune`: what the stage cache holds, and making it smaller. */
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import {
  cacheDirFor,
  cacheMaxBytesFromEnv,
  parseAge,
  parseSize,
  StageCache,
  type CacheEntryInfo,
} from "../../loop/cache.js";
import { resolveStoreLocation } from "../../track/open.js";
import { fmtTime, out, printJson, table } from "../render.js";
import type { GlobalOptions } from "../main.js";

interface CacheOptions {
  dir?: string;
  json?: boolean;
}

interface PruneOptions extends CacheOptions {
  maxSize?: string;
  olderThan?: string;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

function openCache(cmd: Command, opts: CacheOptions): StageCache {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  let dir = opts.dir;
  if (dir === undefined) {
    const loc = resolveStoreLocation(globals.store);
    dir = cacheDirFor(loc.kind === "sqlite" ? loc.path : loc.url);
  }
  return new StageCache(dir, cacheMaxBytesFromEnv());
}

function entryJson(e: CacheEntryInfo): Record<string, unknown> {
  return { kind: e.kind, key: e.key, bytes: e.bytes, lastUsed: e.lastUsed.toISOString() };
}

export function registerCache(program: Command): void {
  const cache = program
    .command("cache")
    .description("the stage cache (parsed data, features) beside the store: what it holds, and pruning it")
    .addHelpText(
      "after",
      `
Entries are keyed by content hashes, so a stale entry is never used; pruning only frees disk.
The cache is bounded (default 2 GB, or $MLLOOP_CACHE_MAX_SIZE): after each write the least
recently used entries go first. \`mlloop run --no-cache\` bypasses it.

Examples:
  $ mlloop cache info
  $ mlloop cache prune --max-size 500MB
  $ mlloop cache prune --older-than 14d`,
    );

  cache
    .command("info")
    .description("list the cache entries (kind, size, last use) and the total against the bound")
    .option("--dir <folder>", "the cache folder (default: cache/ beside the store)")
    .option("--json", "print JSON")
    .action((opts: CacheOptions, cmd: Command) => {
      const c = openCache(cmd, opts);
      const { entries, tmpFiles, tmpBytes } = c.list();
      const total = entries.reduce((s, e) => s + e.bytes, 0);
      if (opts.json) {
        printJson({
          dir: c.dir,
          maxBytes: c.maxBytes,
          totalBytes: total,
          entries: entries.map(entryJson),
          temporary: { files: tmpFiles, bytes: tmpBytes },
        });
        return;
      }
      out(`cache ${c.dir}\n`);
      if (tmpFiles > 0) {
        out(
          `${tmpFiles} temporary file${tmpFiles === 1 ? "" : "s"} (${fmtBytes(tmpBytes)}): entries being written, or left by a writer that died (mlloop cache prune removes those older than an hour)\n`,
        );
      }
      if (entries.length === 0) {
        out("empty\n");
        return;
      }
      const rows = [...entries]
        .reverse()
        .map((e) => [e.kind, e.key.slice(0, 12), fmtBytes(e.bytes), fmtTime(e.lastUsed.getTime())]);
      out(`${table(["kind", "key", "size", "last used"], rows, ["left", "left", "right", "left"])}\n`);
      out(
        `${entries.length} entries, ${fmtBytes(total)} of ${fmtBytes(c.maxBytes)} (${((100 * total) / c.maxBytes).toFixed(1)}%)\n`,
      );
    });

  cache
    .command("prune")
    .description("remove least recently used entries down to a size, and/or entries not used for a while")
    .option("--max-size <size>", "keep at most this much (e.g. 500MB, 2GB); default: the cache bound")
    .option("--older-than <age>", "remove entries not used for this long (e.g. 30m, 12h, 14d, 2w)")
    .option("--dir <folder>", "the cache folder (default: cache/ beside the store)")
    .option("--json", "print JSON")
    .action((opts: PruneOptions, cmd: Command) => {
      const c = openCache(cmd, opts);
      let maxBytes: number | undefined;
      let olderThanMs: number | undefined;
      if (opts.maxSize !== undefined) {
        const b = parseSize(opts.maxSize);
        if (b === null)
          throw new UsageError(`--max-size ${opts.maxSize}: expected a size such as 500MB, 2GB or 1048576`);
        maxBytes = b;
      }
      if (opts.olderThan !== undefined) {
        const ms = parseAge(opts.olderThan);
        if (ms === null)
          throw new UsageError(`--older-than ${opts.olderThan}: expected an age such as 30m, 12h, 14d or 2w`);
        olderThanMs = ms;
      }
      if (maxBytes === undefined && olderThanMs === undefined) maxBytes = c.maxBytes;
      const result = c.prune({ maxBytes, olderThanMs });
      if (opts.json) {
        printJson({
          dir: c.dir,
          removed: result.removed.map(entryJson),
          freedBytes: result.freedBytes,
          keptBytes: result.keptBytes,
          keptEntries: result.keptEntries,
        });
        return;
      }
      out(
        `removed ${result.removed.length} entr${result.removed.length === 1 ? "y" : "ies"} (${fmtBytes(result.freedBytes)}); ` +
          `${result.keptEntries} left (${fmtBytes(result.keptBytes)}) in ${c.dir}\n`,
      );
    });
}
