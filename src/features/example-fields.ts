/**
 * Reading a named field of an example, with the error a person can act on when it is not there:
 * which example, which field, which fields it does have (and the likely typo).
 */
import type { Example } from "../data/example.js";
import { DataError } from "../errors.js";
import { didYouMean } from "../spec/suggest.js";

type Kind = "text" | "numeric" | "categorical";

function missing(ex: Example, kind: Kind, name: string, specKey: string): DataError {
  const present = Object.keys(ex[kind]).sort();
  const have = present.length
    ? `${kind} fields of this example: ${present.join(", ")}`
    : `this example has no ${kind} fields`;
  return new DataError(
    `${specKey}: example "${ex.id}" has no ${kind} field "${name}"${didYouMean(name, present)} (${have})`,
    { where: ex.id },
  );
}

function has(record: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, name);
}

/** The text of field `name`; `specKey` is where the field was asked for ("features.words.fields"). */
export function textField(ex: Example, name: string, specKey: string): string {
  if (!has(ex.text, name)) throw missing(ex, "text", name, specKey);
  const v: unknown = ex.text[name];
  if (typeof v !== "string") {
    throw new DataError(
      `${specKey}: example "${ex.id}" has ${v === null ? "null" : typeof v} in text field "${name}"`,
      {
        where: ex.id,
      },
    );
  }
  return v;
}

/** The numeric value of column `name` (null = missing value); absent key → DataError. */
export function numericField(ex: Example, name: string, specKey: string): number | null {
  if (!has(ex.numeric, name)) throw missing(ex, "numeric", name, specKey);
  return ex.numeric[name] ?? null;
}

/** The category of column `name` (null = missing value); absent key → DataError. */
export function categoricalField(ex: Example, name: string, specKey: string): string | null {
  if (!has(ex.categorical, name)) throw missing(ex, "categorical", name, specKey);
  return ex.categorical[name] ?? null;
}
