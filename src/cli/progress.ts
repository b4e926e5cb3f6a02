/**
 * Stage progress for long commands. On a TTY: a live bar per stage (cli-progress); off a TTY or
 * with --json: nothing on stdout (scripts parse it), one line per finished stage on stderr when
 * verbose.
 */
import type { LoopOptions } from "../loop/loop.js";
import cliProgress from "cli-progress";
import { dim, fmtMs, green } from "./render.js";

export interface StageReporter {
  start(stage: string, total?: number): void;
  update(done: number, total?: number): void;
  finish(stage: string, ms: number, detail?: string): void;
  stop(): void;
}

export function createStageReporter(opts: { enabled: boolean }): StageReporter {
  const tty = Boolean(process.stderr.isTTY);
  if (!opts.enabled) return { start: () => {}, update: () => {}, finish: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = (): void => {
    if (bar) {
      bar.stop();
      bar = null;
    }
  };
  return {
    start(stage, total) {
      stopBar();
      if (tty && total !== undefined && total > 0) {
        bar = new cliProgress.SingleBar(
          {
            format: `  ${stage.padEnd(10)} {bar} {percentage}% | {value}/{total} | {duration_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
            barsize: 30,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      } else if (tty) {
        process.stderr.write(dim(`  ${stage}…\r`));
      }
    },
    update(done, total) {
      if (bar) {
        if (total !== undefined) bar.setTotal(total);
        bar.update(done);
      }
    },
    finish(stage, ms, detail) {
      stopBar();
      process.stderr.write(
        `  ${green("✓")} ${stage.padEnd(10)} ${fmtMs(ms).padStart(8)}${detail ? dim(`  ${detail}`) : ""}\n`,
      );
    },
    stop: stopBar,
  };
}

/** Stage bars for full runs and one bar per screening batch, shared by `loop` and `demo`. */
export function loopProgress(reporter: StageReporter): Pick<LoopOptions, "stages" | "onScreenProgress"> {
  let label = "";
  return {
    stages: {
      start: (s, total) => reporter.start(s, total),
      progress: (d, t) => reporter.update(d, t),
      finish: () => reporter.stop(),
    },
    onScreenProgress: (done, total, what) => {
      if (what !== label) {
        reporter.stop();
        reporter.start(`screen ${what}`, total);
        label = what;
      }
      reporter.update(done, total);
      if (done === total) {
        reporter.stop();
        label = "";
      }
    },
  };
}
