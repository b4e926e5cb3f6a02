"""Optuna TPE as an ask/tell server for `npm run bench:loop` (contender d).

Reads the search space (JSON) from argv[1] and the seed from argv[2]; then, for each line "ask" on
stdin, prints one JSON point; for each line "tell <value>", tells the last asked trial its value
(dev F1, maximised). The trials themselves are `mlloop run --json` processes started by bench/loop.ts,
so both sides search exactly the same space. Needs Debian's python3-optuna (3.1):
/usr/bin/python3 bench/loop_optuna.py space.json 0
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def main() -> None:
    with open(sys.argv[1]) as f:
        space = json.load(f)
    seed = int(sys.argv[2])
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(n_startup_trials=3, seed=seed)
    )
    trial = None
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "ask":
            trial = study.ask()
            point = {}
            for name, d in space.items():
                if d["kind"] == "categorical":
                    point[name] = trial.suggest_categorical(name, list(range(len(d["values"]))))
                elif d["kind"] == "float":
                    point[name] = trial.suggest_float(name, d["low"], d["high"], log=bool(d.get("log")))
                else:
                    point[name] = trial.suggest_int(name, d["low"], d["high"], log=bool(d.get("log")))
            print(json.dumps(point), flush=True)
        elif cmd.startswith("tell "):
            value = float(cmd[5:])
            study.tell(trial, value if value == value else None, state=None if value == value else optuna.trial.TrialState.FAIL)
            print("ok", flush=True)
        elif cmd == "quit":
            break


if __name__ == "__main__":
    main()
