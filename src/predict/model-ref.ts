/**
 * What `mlloop predict` and `loadPipeline` accept: a run id (or a unique prefix), `NAME@ALIAS`
 * (where the alias points now, like MLflow's `models:/spam-filter@production`) or `NAME/VERSION`.
 */
import { StoreError, UsageError } from "../errors.js";
import { modelNameProblem, type Store } from "../track/store.js";

export type ParsedModelRef =
  | { readonly kind: "run"; readonly text: string }
  | { readonly kind: "alias"; readonly text: string; readonly name: string; readonly alias: string }
  | { readonly kind: "version"; readonly text: string; readonly name: string; readonly version: number };

export type ModelRef =
  | { readonly kind: "run"; readonly text: string; readonly runId: string }
  | {
      readonly kind: "alias";
      readonly text: string;
      readonly name: string;
      readonly alias: string;
      readonly version: number;
      readonly runId: string;
    }
  | {
      readonly kind: "version";
      readonly text: string;
      readonly name: string;
      readonly version: number;
      readonly runId: string;
    };

export function parseModelRef(text: string): ParsedModelRef {
  const at = text.indexOf("@");
  if (at >= 0) {
    const name = text.slice(0, at);
    const alias = text.slice(at + 1);
    const problem = modelNameProblem("name", name) ?? modelNameProblem("alias", alias);
    if (problem !== null)
      throw new UsageError(`${JSON.stringify(text)}: ${problem}; expected NAME@ALIAS, e.g. spam-filter@production`);
    return { kind: "alias", text, name, alias };
  }
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const name = text.slice(0, slash);
    const v = text.slice(slash + 1);
    const problem = modelNameProblem("name", name);
    if (problem !== null || !/^[1-9][0-9]{0,8}$/.test(v)) {
      throw new UsageError(
        `${JSON.stringify(text)}: expected NAME/VERSION with a positive version number, e.g. spam-filter/3${problem === null ? "" : ` (${problem})`}`,
      );
    }
    return { kind: "version", text, name, version: Number(v) };
  }
  return { kind: "run", text };
}

/** The run a reference names now (an alias is read once: a pipeline keeps the version it loaded). */
export async function resolveModelRef(store: Store, ref: ParsedModelRef): Promise<ModelRef> {
  switch (ref.kind) {
    case "run":
      return { ...ref, runId: (await store.getRun(ref.text)).id };
    case "alias": {
      const a = await store.getModelAlias(ref.name, ref.alias);
      if (a === null) {
        const models = await store.listModels();
        const model = models.find((m) => m.name === ref.name);
        const known =
          model === undefined
            ? `no model is named "${ref.name}"${models.length === 0 ? " (none is registered yet; mlloop model promote RUN --as NAME@ALIAS)" : ` (registered: ${models.map((m) => m.name).join(", ")})`}`
            : `"${ref.name}" has ${model.aliases.length === 0 ? "no aliases" : `the aliases ${model.aliases.map((x) => x.alias).join(", ")}`}`;
        throw new StoreError(`${ref.text}: no such alias in store ${store.location}; ${known}`, { where: ref.text });
      }
      return { ...ref, version: a.version, runId: a.runId };
    }
    case "version": {
      const v = await store.getModelVersion(ref.name, ref.version);
      if (v === null) {
        const versions = await store.listModelVersions(ref.name);
        throw new StoreError(
          `${ref.text}: no such version in store ${store.location}; ${versions.length === 0 ? `no model is named "${ref.name}"` : `"${ref.name}" has versions 1–${versions.length}`}`,
          { where: ref.text },
        );
      }
      return { ...ref, runId: v.runId };
    }
  }
}
