/** Likely label errors (confident learning) → review them; fixes the measurement more than the model. */
import { pts, type Rule } from "./rule.js";

export const labelErrorsRule: Rule = ({ findings }) => {
  const lists = findings.labelIssues ?? [];
  const ids = (split: string): string[] => lists.find((l) => l.split === split)?.issues.map((i) => i.id) ?? [];
  const dev = ids("dev");
  const train = ids("train");
  if (dev.length + train.length === 0) return [];
  const devN = findings.biasVariance.input.dev.n;
  const devShare = devN > 0 ? dev.length / devN : 0;
  return [
    {
      finding: "label_errors",
      title: `review ${dev.length} dev and ${train.length} training labels that look wrong`,
      rationale:
        "confident learning on out-of-sample probabilities flags these as likely mislabeled (Northcutt et al. 2021)",
      evidence: [...dev.slice(0, 10).map((id) => `dev: ${id}`), ...train.slice(0, 10).map((id) => `train: ${id}`)],
      patch: null,
      action: "read them; tag real mistakes with `mlloop tag RUN EXAMPLE mislabeled` and fix the labels at the source",
      expected: {
        devErrorDelta: -0.1 * devShare,
        low: -devShare,
        high: 0,
        basis: `fixes the measurement more than the model: up to ${pts(devShare)} of the dev error may be label noise`,
      },
      // flagged examples include plain model errors; reviewing labels fixes the measurement more than the model
      gain: devShare * 0.1,
    },
  ];
};
