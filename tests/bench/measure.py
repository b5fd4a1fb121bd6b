#!/usr/bin/env python3
"""measure.py - wall time and peak RSS of commands run side by side.

    python3 tests/bench/measure.py [-n REPEAT] [-e STDERR_FILE] -- CMD1... [::: CMD2...]...

Runs the commands REPEAT times (default 1) in turn (CMD1, CMD2, ..., CMD1,
CMD2, ...), so that a change of load on the machine during the run touches
every command alike.  A command's standard output goes to /dev/null, its
standard error is appended to STDERR_FILE (default: inherited).  The clock
runs from just before the command is started to just after it has been
reaped.  The peak RSS comes from GNU time (/usr/bin/time -f %M) wrapped
around the command: a child's ru_maxrss also counts the memory of the
process that forked it, up to its exec, so reading it here would put
Python's own RSS (about 14 MiB) under every figure; GNU time's is under
1 MiB (the least this can report).

Prints one line per command, in the order given:
    INDEX BEST_WALL_S MAX_RSS_KIB EXIT_STATUS WALLS
with WALLS every run's wall time, comma separated, and EXIT_STATUS the first
non-zero status seen (a signal N is reported as 128+N, a command that
cannot be started as 127), else 0.  Exit status 2 on usage or when
/usr/bin/time is missing.
"""
import os
import sys
import tempfile
import time


TIME = "/usr/bin/time"


def run(argv, stderr_fd, rss_path):
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1)]
    if stderr_fd is not None:
        actions.append((os.POSIX_SPAWN_DUP2, stderr_fd, 2))
    full = [TIME, "-f", "%M", "-o", rss_path, "--"] + argv
    try:
        t0 = time.monotonic()
        pid = os.posix_spawn(TIME, full, os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        t1 = time.monotonic()
    finally:
        os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        code = 128 - code
    # GNU time writes "Command exited with non-zero status N" (or
    # "terminated by signal N") before the format: %M is the last line.
    with open(rss_path) as f:
        lines = [ln for ln in f.read().split("\n") if ln.strip()]
    try:
        rss = int(lines[-1])
    except (IndexError, ValueError):
        rss = 0
    return t1 - t0, rss, code


def main(args):
    repeat = 1
    err_path = None
    while args and args[0] != "--":
        if args[0] == "-n" and len(args) > 1:
            repeat = int(args[1])
            args = args[2:]
        elif args[0] == "-e" and len(args) > 1:
            err_path = args[1]
            args = args[2:]
        else:
            break
    if not args or args[0] != "--" or repeat < 1:
        sys.stderr.write(__doc__)
        return 2
    cmds = [[]]
    for a in args[1:]:
        if a == ":::":
            cmds.append([])
        else:
            cmds[-1].append(a)
    if any(not c for c in cmds):
        sys.stderr.write("measure.py: an empty command\n")
        return 2
    if not os.access(TIME, os.X_OK):
        sys.stderr.write(f"measure.py: {TIME} is missing (Debian package time)\n")
        return 2
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if err_path else None
    rss_fd, rss_path = tempfile.mkstemp(prefix="measure-rss.")
    os.close(rss_fd)
    walls = [[] for _ in cmds]
    rss = [0 for _ in cmds]
    codes = [0 for _ in cmds]
    try:
        for _ in range(repeat):
            for i, argv in enumerate(cmds):
                w, m, c = run(argv, err_fd, rss_path)
                walls[i].append(w)
                rss[i] = max(rss[i], m)
                if c and not codes[i]:
                    codes[i] = c
    except OSError as e:
        sys.stderr.write(f"measure.py: {e}\n")
        return 2
    finally:
        if err_fd is not None:
            os.close(err_fd)
        os.unlink(rss_path)
    for i in range(len(cmds)):
        print(f"{i} {min(walls[i]):.6f} {rss[i]} {codes[i]} " + ",".join(f"{w:.6f}" for w in walls[i]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
