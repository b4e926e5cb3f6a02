"""Optuna's side of `npm run bench:sweep` (Debian python3-optuna 3.1, scikit-learn 1.2.1).

  /usr/bin/python3 bench/sweep_optuna.py overhead WINE_CSV TRIALS DB_PATH
      An Optuna study with its RDB storage on SQLite (DB_PATH), TPESampler(seed=0), TRIALS trials
      of the wine objective (the four columns of examples/wine/baseline.yaml, standardised,
      LogisticRegression(C), macro F1 on a stratified 20% dev split). Prints JSON: wall seconds of
      study.optimize and the sum of the objective's own seconds (fit + evaluate), so that
      per-trial overhead = (wall - objective) / trials, as mlloop's is measured.

  /usr/bin/python3 bench/sweep_optuna.py server SPACE_JSON SEED [maximize|minimize]
      Ask/tell over stdin/stdout with TPESampler(seed=SEED) and Optuna's defaults: "ask"
      prints a JSON point, "tell <value>" records it (NaN: failed), "quit" ends. The objective is
      run by bench/sweep.ts (an in-process mlloop run), so both samplers face the same objective.
"""
import json
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def overhead(csv_path: str, trials: int, db_path: str) -> None:
    import csv

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    X = np.asarray([[float(r[c]) for c in ["alcohol", "malic_acid", "ash", "magnesium"]] for r in rows])
    y = np.asarray([r["cultivar"] for r in rows])
    X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)
    X_dev, _, y_dev, _ = train_test_split(X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0)
    spent = [0.0]

    def objective(trial: optuna.Trial) -> float:
        c = trial.suggest_float("model.C", 1e-4, 100, log=True)
        missing = trial.suggest_categorical("features.numeric.missing", ["mean", "median"])
        t0 = time.perf_counter()
        scaler = StandardScaler().fit(X_train)
        model = LogisticRegression(C=c, max_iter=1000).fit(scaler.transform(X_train), y_train)
        value = f1_score(y_dev, model.predict(scaler.transform(X_dev)), average="macro")
        spent[0] += time.perf_counter() - t0
        del missing
        return float(value)

    study = optuna.create_study(
        storage=f"sqlite:///{db_path}",
        study_name="overhead",
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
    )
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": wall, "objective_s": spent[0], "trials": trials, "best": study.best_value, "numpy": np.__version__}))


def server(space_path: str, seed: int, direction: str) -> None:
    with open(space_path) as f:
        space = json.load(f)
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    trial = None
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "ask":
            trial = study.ask()
            point = {}
            for name, d in space.items():
                if d["kind"] == "categorical":
                    point[name] = d["values"][trial.suggest_categorical(name, list(range(len(d["values"]))))]
                elif d["kind"] == "float":
                    point[name] = trial.suggest_float(name, d["low"], d["high"], log=bool(d.get("log")))
                else:
                    point[name] = trial.suggest_int(name, d["low"], d["high"], log=bool(d.get("log")))
            print(json.dumps(point), flush=True)
        elif cmd.startswith("tell "):
            value = float(cmd[5:])
            if value == value:
                study.tell(trial, value)
            else:
                study.tell(trial, None, state=optuna.trial.TrialState.FAIL)
            print("ok", flush=True)
        elif cmd == "quit":
            break


if __name__ == "__main__":
    if sys.argv[1] == "overhead":
        overhead(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        server(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "maximize")
