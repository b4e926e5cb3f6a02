/**
 * The `train-profile.json` artifact through the stage cache. A holdout run's profile is a function
 * of its featurised train and dev matrices (the features key says which), its feature families
 * (the same key) and the seed of its bootstrap draws, and nothing about the model: a warm
 * iteration (only a model hyperparameter changed) reads it back instead of drawing the dev curve's
 * 700 bootstrap samples again (0.25–0.35 s of a warm spam run on this 2-core machine).
 */
import { createHash } from "node:crypto";
import { CACHE_KEY_VERSION } from "./cache-keys.js";
import type { StageCache } from "./cache.js";
import type { CacheReport } from "./cache-inputs.js";

export const TRAIN_PROFILE_KIND = "train-profile";

/** The cache key of a holdout run's profile: its features entry and the profile's seed. */
export function trainProfileKey(featuresKey: string, seed: number): string {
  return createHash("sha256")
    .update(`${TRAIN_PROFILE_KIND}\0${CACHE_KEY_VERSION}\0${featuresKey}\0holdout\0${seed}`)
    .digest("hex");
}

/**
 * The profile's JSON text: read from the cache when `key` has an entry, else `compute()`d and
 * written. A damaged entry is dropped and recomputed, and a failed write is a note: never fatal.
 * `report.trainProfile` says which happened.
 */
export async function cachedTrainProfileJson(
  cache: StageCache | null,
  key: string | null,
  report: CacheReport,
  compute: () => string,
): Promise<string> {
  if (cache === null || key === null) return compute();
  const found = cache.read(TRAIN_PROFILE_KIND, key);
  if (found.status === "hit") {
    report.trainProfile = "hit";
    report.bytesRead += found.bytes;
    return Buffer.from(found.entry.bytes("profile")).toString("utf8");
  }
  if (found.status === "corrupt") report.notes.push(`train profile entry: ${found.reason}`);
  report.trainProfile = found.status;
  const json = compute();
  let w: ReturnType<StageCache["writer"]> | null = null;
  try {
    w = cache.writer(TRAIN_PROFILE_KIND, key);
    report.bytesWritten += await w.begin("profile").append(Buffer.from(json, "utf8")).end().commit(null);
  } catch (e) {
    void w?.abort();
    report.notes.push(`could not write the train profile cache: ${(e as Error).message}`);
  }
  return json;
}
