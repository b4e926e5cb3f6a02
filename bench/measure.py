#!/usr/bin/env python3
"""Runs one command in a fresh process and reports what it cost: wall seconds, CPU seconds (user +
system, the command and its children) and peak resident memory (the largest process in the tree).

Usage: /usr/bin/python3 bench/measure.py [--cwd DIR] -- COMMAND [ARGS...]
Prints one JSON line: {"wall_s", "user_s", "sys_s", "cpu_s", "max_rss_kb", "exit_code", "stdout", "stderr"}.
The command's own output is captured (and returned, cut to 20,000 characters).
"""
import json
import resource
import subprocess
import sys
import time


def main():
    argv = sys.argv[1:]
    cwd = None
    if len(argv) >= 2 and argv[0] == "--cwd":
        cwd = argv[1]
        argv = argv[2:]
    if not argv or argv[0] != "--":
        sys.exit("usage: measure.py [--cwd DIR] -- COMMAND [ARGS...]")
    cmd = argv[1:]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    # RUSAGE_CHILDREN covers every waited-for descendant: CPU adds up, ru_maxrss is the largest one.
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    json.dump(
        {
            "wall_s": wall,
            "user_s": ru.ru_utime,
            "sys_s": ru.ru_stime,
            "cpu_s": ru.ru_utime + ru.ru_stime,
            "max_rss_kb": ru.ru_maxrss,
            "exit_code": proc.returncode,
            "stdout": proc.stdout[-20000:],
            "stderr": proc.stderr[-20000:],
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
