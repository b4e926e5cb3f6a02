/** Catalogue inputs shared by the recommend tests: one text column, binary labels, csv source. */
import type { CatalogueData } from "../../src/recommend/catalogue.js";
import { parseSpec } from "../../src/spec/load.js";

export const textData: CatalogueData = {
  textFields: ["text"],
  numericColumns: [],
  categoricalColumns: [],
  nClasses: 2,
  email: false,
};

/** A csv spec with word features from "text", the given evaluate keys and model. */
export const textSpec = (
  evaluate: Record<string, unknown> = {},
  model: Record<string, unknown> = { family: "logistic_regression" },
) =>
  parseSpec({
    data: { source: "csv", path: "x.csv", columns: { id: "id", label: "label", text: ["text"] } },
    features: { words: { fields: ["text"] } },
    model,
    evaluate: { positive_class: "spam", ...evaluate },
  });
