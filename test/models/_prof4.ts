import { BinaryLogisticObjective } from "../../src/models/logistic-objectives.js";
import { tron } from "../../src/models/optim/tron.js";
import { createModel } from "../../src/models/registry.js";
import { modelSchema } from "../../src/spec/models.js";
import { randomSparseProblem } from "./random-sparse.js";
const { X, y } = randomSparseProblem(4836, 27859, 145, 2, 2024);
const ys = Float64Array.from(y, (v) => (v ? 1 : -1));
const c = new Float64Array(X.rows).fill(1);
const cpu = (f: () => void) => {
  const c0 = process.cpuUsage();
  f();
  const c1 = process.cpuUsage(c0);
  return ((c1.user + c1.system) / 1000).toFixed(0);
};
for (let rep = 0; rep < 6; rep++) {
  const a = cpu(() => {
    const obj = new BinaryLogisticObjective(X, ys, c, true);
    tron(obj, new Float64Array(obj.size), { tol: 1e-4, maxIter: 100 });
  });
  const b = cpu(() => createModel(modelSchema.parse({ family: "logistic_regression" }), 0).fit({ X, y, nClasses: 2 }));
  const d = cpu(() => createModel(modelSchema.parse({ family: "naive_bayes" }), 0).fit({ X, y, nClasses: 2 }));
  console.log("tron", a, "LR.fit", b, "NB.fit", d);
}
