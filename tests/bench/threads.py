#!/usr/bin/env python3
"""threads.py - two or more dnsblame binaries compared, thread by thread.

    python3 tests/bench/threads.py [-n RUNS] CAPTURE BINARY BINARY...

Runs `BINARY -q -r CAPTURE --format json -o /dev/null` for each binary in
turn, RUNS times (default 20), so that a change of load on the machine
touches every binary alike.  While a run lasts, the CPU time of each of its
threads (utime + stime in /proc/PID/task/TID/stat, which leaves out the
time the machine's host took from the guest) is read every 10 ms; the last
reading before a thread ends is kept, so a figure can be short by up to
10 ms.  Threads are told apart by name: `dnsblame-read` (the capture),
`dnsblame-tally` (the tally), the rest (the analysis, on the main thread).

Prints one line per binary: the medians of the wall time and of each
thread kind's CPU time, then the medians of the ratios of each run to the
first binary's run of the same round (wall, the analysis's CPU, all
threads' CPU).  The ratios of alternate runs say more than the medians of
the times on a machine whose speed moves by a third within minutes.
"""
import os
import statistics
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def kind(name):
    if name.endswith("-read"):
        return "read"
    if name.endswith("-tally"):
        return "tally"
    return "analysis"


def run(binary, capture):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-q", "-r", capture, "--format", "json", "-o", "/dev/null"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = {}
    while p.poll() is None:
        try:
            tids = os.listdir(f"/proc/{p.pid}/task")
        except OSError:
            tids = []
        for tid in tids:
            try:
                with open(f"/proc/{p.pid}/task/{tid}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            name = s[s.index("(") + 1:s.rindex(")")]
            fields = s[s.rindex(")") + 2:].split()
            last[tid] = (kind(name), (int(fields[11]) + int(fields[12])) / TICK)
        time.sleep(0.01)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"threads.py: {binary} exited with status {p.returncode}")
    cpu = {"analysis": 0.0, "read": 0.0, "tally": 0.0}
    for k, c in last.values():
        cpu[k] += c
    return wall, cpu


def main(argv):
    runs = 20
    if len(argv) > 1 and argv[0] == "-n":
        runs = int(argv[1])
        argv = argv[2:]
    if len(argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    capture, binaries = argv[0], argv[1:]
    got = {b: [] for b in binaries}
    for _ in range(runs):
        for b in binaries:
            got[b].append(run(b, capture))
    base = got[binaries[0]]
    med = statistics.median
    for b in binaries:
        r = got[b]
        line = f"{b}: wall {med(x[0] for x in r):.3f} s"
        for k in ("analysis", "read", "tally"):
            line += f", {k} {med(x[1][k] for x in r):.2f} s"
        wall = med(r[i][0] / base[i][0] for i in range(runs))
        ana = med(r[i][1]["analysis"] / max(base[i][1]["analysis"], 1e-9) for i in range(runs))
        tot = med(sum(r[i][1].values()) / max(sum(base[i][1].values()), 1e-9)
                  for i in range(runs))
        line += f"; ratios to the first: wall {wall:.3f}, analysis {ana:.3f}, all threads {tot:.3f}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
