/**
 * The scikit-learn side of the benchmark: finding (or installing) Debian's python3-sklearn, and a
 * long-lived bench/sklearn_worker.py process that answers one JSON request per line.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

export const PYTHON = process.env["MLLOOP_PYTHON"] ?? "/usr/bin/python3";

function hasSklearn(): boolean {
  return spawnSync(PYTHON, ["-c", "import sklearn, scipy"], { stdio: "ignore" }).status === 0;
}

/** Makes sure scikit-learn is importable, installing python3-sklearn with apt when it is missing. */
export function ensureSklearn(log: (line: string) => void): void {
  if (hasSklearn()) return;
  log(`scikit-learn is not importable from ${PYTHON}; installing python3-sklearn with apt-get…`);
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ["sudo", "-n"];
  for (const args of [
    ["apt-get", "update"],
    ["apt-get", "install", "-y", "python3-sklearn", "python3-scipy"],
  ]) {
    const cmd = [...prefix, ...args];
    const r = spawnSync(cmd[0]!, cmd.slice(1), {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (r.status !== 0) {
      throw new Error(
        `could not install python3-sklearn (\`${cmd.join(" ")}\` exited with ${r.status ?? r.signal}); install it (apt-get install python3-sklearn) or set MLLOOP_PYTHON to a Python with scikit-learn`,
      );
    }
  }
  if (!hasSklearn()) throw new Error(`python3-sklearn was installed but ${PYTHON} still cannot import it`);
}

interface Reply {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

export class SklearnWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private stderr = "";

  constructor(script: string) {
    this.child = spawn(PYTHON, [script], { stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const w = this.waiting.shift();
      if (w === undefined) return;
      try {
        w.resolve(JSON.parse(line) as Reply);
      } catch {
        w.reject(new Error(`sklearn worker printed a non-JSON line: ${line.slice(0, 200)}`));
      }
    });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.child.on("exit", (code) => {
      for (const w of this.waiting.splice(0)) {
        w.reject(new Error(`sklearn worker exited (${code}):\n${this.stderr}`));
      }
    });
  }

  async call<T>(request: Record<string, unknown>): Promise<T> {
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(request) + "\n");
    });
    if (!reply.ok) throw new Error(`scikit-learn ${String(request["cmd"])} failed: ${reply.error}`);
    return reply.result as T;
  }

  close(): void {
    this.child.stdin.end();
  }
}
