/**
 * A seeded store for the dashboard's API and browser tests, with known numbers:
 * - experiment "mail": real runs through the built CLI on a small JSONL mail set whose ids,
 *   subjects and bodies include hostile HTML (<script>, <img onerror>, javascript: links):
 *   run A (diagnosed, so it has recommendations to Apply) and its child B (model.C 1 → 0.05).
 * - experiment "lineage": synthetic runs written through the Store API (as test/compare does):
 *   root → better child → worse grandchild, each with known dev accuracies.
 * - an attribution from root to a two-change run, computed by the real Shapley code with a
 *   coalition runner that writes synthetic runs whose accuracies are known.
 * - experiment "hostile": a run whose name, notes and tags carry hostile HTML.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { attributeRuns } from "../../src/loop/attribute.js";
import { openSqliteStore } from "../../src/track/sqlite-store.js";
import type { RunId } from "../../src/track/store.js";
import { createRng } from "../../src/util/random.js";
import { json, runCli } from "../cli/cli-helpers.js";
import { BASE_SPEC, devSet, writeRun } from "../compare/fixtures.js";

export const HOSTILE_SCRIPT = `<script>alert("xss-script")</script>`;
export const HOSTILE_IMG = `<img src=x onerror=alert("xss-img")>`;
export const HOSTILE_LINK = `<a href="javascript:alert('xss-link')">click</a>`;
export const HOSTILE_REMOTE = `<img src="http://evil.example/beacon.gif">`;
export const HOSTILE = `${HOSTILE_SCRIPT} ${HOSTILE_IMG} ${HOSTILE_LINK} ${HOSTILE_REMOTE}`;

export interface Seeded {
  readonly dir: string;
  readonly storePath: string;
  /** Real runs on the mail set: A diagnosed, B its child. */
  readonly mailA: string;
  readonly mailB: string;
  readonly lineage: { root: RunId; child: RunId; grandchild: RunId; accuracies: [number, number, number] };
  /** Coalition accuracies by mask, and each mask's label ("+model.C +features.words.min_df"). */
  readonly attribution: { a: RunId; b: RunId; values: Record<number, number>; labels: Record<number, string> };
  readonly hostileRun: RunId;
  readonly hostileIds: readonly string[];
}

/** A two-class mail set: spam draws words from s0…s59, ham from h0…h59, with 20% crossover; some rows are hostile. */
function writeMailSet(path: string, n: number): string[] {
  const rng = createRng(17);
  const hostileIds: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const spam = rng.next() < 0.4;
    const words: string[] = [];
    for (let k = 0; k < 12 + rng.int(12); k++) {
      const own = rng.next() >= 0.2;
      words.push(`${spam === own ? "s" : "h"}${rng.int(60)}`);
    }
    const hostile = i % 25 === 3;
    const id = hostile ? `${HOSTILE_SCRIPT}${HOSTILE_IMG}-${i}` : `m${String(i).padStart(4, "0")}`;
    if (hostile) hostileIds.push(id);
    lines.push(
      JSON.stringify({
        id,
        subject: hostile ? `${HOSTILE_IMG} win ${words[0]}` : `about ${words[0]}`,
        body: hostile ? `${words.join(" ")} ${HOSTILE}` : words.join(" "),
        // hostile rows carry a flipped label now and then, so that they show up among the errors
        label: (hostile && i % 2 === 1 ? !spam : spam) ? "spam" : "ham",
      }),
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return hostileIds;
}

const MAIL_SPEC = `experiment: mail
seed: 0
data:
  source: jsonl
  path: mail.jsonl
  columns: { id: id, label: label, text: [subject, body] }
  split: { method: stratified, train: 0.6, dev: 0.2, test: 0.2 }
features:
  words: { fields: [subject, body], min_df: 1 }
model: { family: logistic_regression, C: 1.0 }
evaluate:
  positive_class: spam
  baseline_error: 0.01
`;

async function cli(args: string[]): Promise<{ runId: string }> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`mlloop ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
  return json<{ runId: string }>(r);
}

/** Accuracy of a devSet(n, wrong) run. */
function accuracy(n: number, wrong: (i: number) => boolean): number {
  let right = 0;
  for (let i = 0; i < n; i++) if (!wrong(i)) right++;
  return right / n;
}

export async function seedStore(dir: string): Promise<Seeded> {
  const storePath = join(dir, "mlloop.db");
  const hostileIds = writeMailSet(join(dir, "mail.jsonl"), 500);
  writeFileSync(join(dir, "mail.yaml"), MAIL_SPEC);
  const mailA = (await cli(["run", join(dir, "mail.yaml"), "--store", storePath, "--name", "mail baseline", "--json"]))
    .runId;
  const diag = await runCli(["diagnose", mailA, "--store", storePath, "--no-cv", "--json"]);
  if (diag.code !== 0) throw new Error(`diagnose failed:\n${diag.stderr}`);
  const mailB = (
    await cli([
      "run",
      join(dir, "mail.yaml"),
      "--store",
      storePath,
      "--set",
      "model.C=0.05",
      "--parent",
      mailA,
      "--name",
      "stronger regularisation",
      "--json",
    ])
  ).runId;

  const store = await openSqliteStore(storePath);
  try {
    const n = 300;
    const wrongRoot = (i: number): boolean => i % 10 === 0; // 90% right
    const wrongChild = (i: number): boolean => i % 20 === 0; // 95%
    const wrongGrand = (i: number): boolean => i % 20 === 0 || i % 7 === 1; // worse than the child
    const specC = (c: number, minDf = 1) => ({
      ...BASE_SPEC,
      experiment: "lineage",
      features: { words: { fields: ["subject", "body"], min_df: minDf } },
      model: { ...BASE_SPEC.model, C: c },
    });
    const root = await writeRun(store, {
      experiment: "lineage",
      name: "root",
      spec: specC(1),
      dev: devSet(n, wrongRoot),
    });
    const child = await writeRun(store, {
      experiment: "lineage",
      parent: root,
      name: "C=10",
      spec: specC(10),
      dev: devSet(n, wrongChild),
    });
    const grandchild = await writeRun(store, {
      experiment: "lineage",
      parent: child,
      name: "min_df=3",
      spec: specC(10, 3),
      dev: devSet(n, wrongGrand),
      tags: { recommendation: `${child}:1` },
    });

    // attribution root → (C=10 and min_df=3 at once): player masks by the order the planner gives
    const both = await writeRun(store, {
      experiment: "lineage",
      parent: root,
      name: "both changes",
      spec: specC(10, 3),
      dev: devSet(n, (i) => i % 25 === 0),
      tags: { attribution: "seed-b" },
    });
    const wrongByMask: Record<number, (i: number) => boolean> = {
      0: wrongRoot,
      1: (i) => i % 15 === 0,
      2: (i) => i % 12 === 0,
      3: (i) => i % 25 === 0,
    };
    const values: Record<number, number> = {};
    const labels: Record<number, string> = {};
    await attributeRuns(store, root, both, {
      metric: "accuracy",
      resamples: 500,
      runner: async (spec, info) => {
        labels[info.mask] = info.label;
        const id = await writeRun(store, {
          experiment: "lineage",
          spec: spec as unknown as Record<string, unknown>,
          dev: devSet(n, wrongByMask[info.mask]!),
          tags: info.tags,
          name: `coalition ${info.label}`,
        });
        return id;
      },
    });
    for (const [mask, wrong] of Object.entries(wrongByMask)) values[Number(mask)] = accuracy(n, wrong);

    const hostileRun = await writeRun(store, {
      experiment: "hostile",
      name: HOSTILE_IMG,
      spec: { ...BASE_SPEC, experiment: "hostile" },
      dev: devSet(30, () => false).map(
        ([id, l, s], k) => [k === 0 ? `${HOSTILE_SCRIPT}${id}` : id, l, s] as [string, string, number],
      ),
      tags: { link: "javascript:alert('xss-tag')", html: HOSTILE_SCRIPT },
    });
    await store.updateRun(hostileRun, { notes: HOSTILE });

    return {
      dir,
      storePath,
      mailA,
      mailB,
      lineage: {
        root,
        child,
        grandchild,
        accuracies: [accuracy(n, wrongRoot), accuracy(n, wrongChild), accuracy(n, wrongGrand)],
      },
      attribution: { a: root, b: both, values, labels },
      hostileRun,
      hostileIds,
    };
  } finally {
    await store.close();
  }
}
