/**
 * SVG x ticks never overlap: a ROC or PR curve (a point per threshold, crowded near 0) gets round
 * ticks; a learning curve keeps its training sizes as ticks, thinned when they crowd.
 */
import { describe, expect, it } from "vitest";
import { niceTicks, svgChart, type Chart } from "../../src/diagnose/plots.js";

/** The x tick labels of an SVG chart of the default size: [pixel x, text]. */
function xTickLabels(svg: string): Array<[number, string]> {
  // tick labels sit 14 px under the plot (y = 30 + 228 + 14 for the default 320 px height)
  return [...svg.matchAll(/<text x="([\d.]+)" y="272" text-anchor="middle" fill="#555">([^<]*)<\/text>/g)].map((m) => [
    Number(m[1]),
    m[2]!,
  ]);
}

function gaps(ticks: Array<[number, string]>): number[] {
  return ticks.slice(1).map(([x], i) => x - ticks[i]![0]);
}

describe("x ticks", () => {
  it("a ROC curve with points crowded near 0 gets round ticks 0, 0.2, …, 1", () => {
    const fpr = Array.from({ length: 200 }, (_, i) => (i / 199) ** 4);
    const chart: Chart = {
      title: "ROC (dev)",
      xLabel: "false positive rate",
      yLabel: "true positive rate",
      series: [{ name: "ROC", x: fpr, y: fpr.map((f) => Math.sqrt(f)) }],
      yMin: 0,
      yMax: 1,
    };
    const ticks = xTickLabels(svgChart(chart));
    expect(ticks.map(([, t]) => t)).toEqual(["0", "0.2", "0.4", "0.6", "0.8", "1"]);
    for (const g of gaps(ticks)) expect(g).toBeGreaterThanOrEqual(40);
  });

  it("a learning curve labels its sizes, thinning those closer than 40 px and keeping the last", () => {
    const sizes = [8, 10, 12, 18, 28, 45, 66, 85];
    const chart: Chart = {
      title: "Learning curve",
      xLabel: "training examples",
      yLabel: "error",
      series: [{ name: "train", x: sizes, y: sizes.map((n) => 1 / n) }],
    };
    const ticks = xTickLabels(svgChart(chart));
    expect(ticks[0]![1]).toBe("8");
    expect(ticks[ticks.length - 1]![1]).toBe("85");
    expect(ticks.length).toBeLessThan(sizes.length);
    for (const g of gaps(ticks)) expect(g).toBeGreaterThanOrEqual(40);
    for (const [, t] of ticks) expect(sizes).toContain(Number(t));
  });

  it("round steps of 1, 2 or 5 × a power of ten", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.92)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(3, 48)).toEqual([10, 20, 30, 40]);
  });
});
