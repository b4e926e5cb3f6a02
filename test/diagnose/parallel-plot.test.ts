/**
 * The parallel-coordinates SVG of `mlloop sweep show --svg`: where each value lands on its axis
 * (linear, log and categorical axes), a trial without a conditional parameter broken at that axis,
 * the best trial drawn last and highlighted, and text from the space made inert.
 */
import { describe, expect, it } from "vitest";
import { svgParallel, type ParallelChart } from "../../src/diagnose/parallel-plot.js";

const chart: ParallelChart = {
  title: "sweep s: parallel coordinates",
  axes: [
    { name: "model.C", kind: "numeric", low: 0.01, high: 100, log: true },
    { name: "model.l1_ratio", kind: "numeric", low: 0, high: 1, log: false },
    { name: "model.family", kind: "categorical", values: ["logistic_regression", "linear_svm", "<script>"] },
  ],
  objective: "dev f1",
  higherIsBetter: true,
  lines: [
    { label: "trial 0", values: [1, 0.5, "logistic_regression"], score: 0.9 },
    { label: "trial 1", values: [100, null, "linear_svm"], score: 0.95 },
    { label: "trial 2", values: [0.01, 1, "<script>"], score: 0.8 },
  ],
};

/** Polylines and points in drawing order, with their hover title. */
function marks(svg: string): Array<{ title: string; points: Array<[number, number]>; stroke: string }> {
  const out: Array<{ title: string; points: Array<[number, number]>; stroke: string }> = [];
  for (const m of svg.matchAll(/<polyline points="([^"]+)"[^>]*stroke="([^"]+)"[^>]*><title>([^<]+)<\/title>/g)) {
    const points = m[1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number]);
    out.push({ title: m[3]!, points, stroke: m[2]! });
  }
  for (const m of svg.matchAll(/<circle cx="([^"]+)" cy="([^"]+)" r="[^"]+" fill="([^"]+)"><title>([^<]+)<\/title>/g)) {
    out.push({ title: m[4]!, points: [[Number(m[1]), Number(m[2])]], stroke: m[3]! });
  }
  return out;
}

describe("svgParallel", () => {
  const svg = svgParallel(chart, 340);
  const lines = marks(svg);
  // height 340, top margin 48, bottom 44: the axes run from y = 296 (bottom) to 48 (top)
  const Y = (p: number): number => 48 + 248 - p * 248;

  it("puts each value at its place on its axis (log, linear, categorical, objective)", () => {
    const t0 = lines.find((l) => l.title.startsWith("trial 0"))!;
    // C = 1 is the middle of [0.01, 100] on a log scale; l1_ratio 0.5 the middle of [0, 1];
    // logistic_regression the first of three choices; on the objective's axis (0.8 … 0.95) 0.9 is 2/3 up
    expect(t0.points.map(([, y]) => y)).toEqual([Y(0.5), Y(0.5), Y(0), +Y(0.1 / 0.15).toFixed(1)]);
    // axes 130 px apart from x = 60
    expect(t0.points.map(([x]) => x)).toEqual([60, 190, 320, 450]);
  });

  it("breaks a trial's line where a conditional parameter is inactive", () => {
    const t1 = lines.filter((l) => l.title.startsWith("trial 1"));
    expect(t1).toHaveLength(2);
    expect(t1.map((l) => l.points.length).sort()).toEqual([1, 2]);
  });

  it("draws the best trial last, in orange, and the worst lightest", () => {
    expect(lines.filter((l) => l.points.length > 1).at(-1)!.title).toMatch(/^trial 1:/);
    expect(lines.find((l) => l.title.startsWith("trial 1"))!.stroke).toBe("#ff7f0e");
    expect(lines.find((l) => l.title.startsWith("trial 2"))!.stroke).toBe("#cfdce8");
    expect(svg).toContain("orange: the best (trial 1)");
  });

  it("makes text from the space inert", () => {
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("lower is better: the lowest loss is the best", () => {
    const loss = svgParallel({ ...chart, objective: "dev log_loss", higherIsBetter: false });
    expect(marks(loss).find((l) => l.title.startsWith("trial 2"))!.stroke).toBe("#ff7f0e");
  });
});
