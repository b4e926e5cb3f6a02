/**
 * Which solver for the multinomial logistic problem: TRON (trust-region Newton-CG) or L-BFGS.
 * Run: npx tsx test/reference/models_solver_bench.ts   (the figures are quoted in
 * src/models/logistic-regression.ts; median CPU time of 3 fits per setting).
 */
import { LogisticRegression } from "../../src/models/logistic-regression.js";
import { logisticRegressionParamsSchema } from "../../src/spec/models.js";
import { randomSparseProblem } from "../models/random-sparse.js";

const { X, y } = randomSparseProblem(5000, 20000, 100, 3, 5);
for (const tol of [1e-4, 1e-8]) {
  for (const solver of ["tron", "lbfgs"] as const) {
    const times: number[] = [];
    let line = "";
    for (let rep = 0; rep < 3; rep++) {
      const m = new LogisticRegression(
        logisticRegressionParamsSchema.parse({ family: "logistic_regression", C: 1, tol, max_iter: 10000 }),
        solver,
      );
      const c0 = process.cpuUsage();
      const r = m.fit({ X, y, nClasses: 3 });
      const c1 = process.cpuUsage(c0);
      times.push((c1.user + c1.system) / 1000);
      line = `${r.iterations} iterations, converged ${r.converged}, objective ${r.finalLoss.toFixed(6)}`;
    }
    times.sort((a, b) => a - b);
    console.log(`tol ${tol} ${solver.padEnd(5)}: ${(times[1]! / 1000).toFixed(2)} s CPU  (${line})`);
  }
}
