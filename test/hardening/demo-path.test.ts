/**
 * Issue #12, lower list: `mlloop demo --experiment ../..` wrote its HTML report outside the store
 * folder (the experiment name was the file name). The default report path stays under
 * <store folder>/reports whatever the name.
 */
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { demoReportPath } from "../../src/loop/demo.js";

describe("demo's default report path", () => {
  const store = "/tmp/some-store/mlloop.db";
  it.each(["../../x", "/etc/cron.d/evil", "..", ".hidden", "a/b\\c", "spam-demo-20261205-0800", ""])(
    "%j stays a plain file under <store folder>/reports",
    (experiment) => {
      const path = demoReportPath(store, experiment);
      expect(dirname(path)).toBe(join(dirname(store), "reports"));
      expect(relative(join(dirname(store), "reports"), path)).not.toMatch(/^\.\.|\//);
      expect(path.endsWith(".html")).toBe(true);
    },
  );
  it("an ordinary name is kept as it is", () => {
    expect(demoReportPath(store, "spam-demo-1")).toBe("/tmp/some-store/reports/spam-demo-1.html");
  });
});
