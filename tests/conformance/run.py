"""Conformance of dnsblame's capture counts with tshark on the public corpus.

Usage: run.py --binary BUILD/dnsblame --corpus DIR [--known FILE] [--jobs N] [--suggest] [FILE...]

For every capture: runs the tshark oracle (oracle.py), checks with tcpdump whether libpcap can
read the file, runs `BINARY -r FILE --format json`, and compares dns_messages, dns_queries,
dns_responses and rcodes.SERVFAIL.

Rules (see README.md beside this file):
  * exit status: 0 with a JSON report on stdout; for a file libpcap cannot read, a non-zero
    status with exactly one line on stderr is also accepted.  Anything else fails, listed or not.
  * counts equal tshark's, or the file is listed in known-differences.tsv with a reason.
  * a listed file whose counts now match fails too (stale entry: remove it from the list).
  * at least 95% of the files match tshark exactly (listed files count as not matching).
Closing line: "conformance: N passed, N failed": one item per file, plus one for the 95% rule
(whole-corpus runs only; naming captures on the command line checks just those).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

COMPARED = ("dns_messages", "dns_queries", "dns_responses", "SERVFAIL")
SHORT = {"dns_messages": "msgs", "dns_queries": "queries", "dns_responses": "responses",
         "SERVFAIL": "servfail"}
MIN_MATCH_RATE = 0.95
BINARY_TIMEOUT = 120


def corpus_files(corpus, only):
    names = sorted(n for n in os.listdir(corpus)
                   if n.endswith((".pcap", ".pcapng", ".cap")) and not n.startswith("."))
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if os.path.exists(manifest):
        listed = []
        with open(manifest) as f:
            for i, line in enumerate(f):
                name = line.split("\t", 1)[0].strip()
                if i == 0 and name == "file":
                    continue
                if name:
                    listed.append(name)
        missing = [n for n in listed if n not in names]
        if missing:
            sys.exit("conformance: MANIFEST.tsv lists missing captures: %s" % ", ".join(missing))
        names = sorted(set(names) | set(listed))
    if only:
        want = [os.path.basename(o) for o in only]
        unknown = [w for w in want if w not in names]
        if unknown:
            sys.exit("conformance: not in the corpus: %s" % ", ".join(unknown))
        names = [n for n in names if n in want]
    return names


def read_known(path):
    known = {}
    if not path or not os.path.exists(path):
        return known
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t", 1)
            if len(parts) != 2 or not parts[1].strip():
                sys.exit("conformance: %s:%d: want 'file<TAB>reason'" % (path, lineno))
            if parts[0] in known:
                sys.exit("conformance: %s:%d: %s listed twice" % (path, lineno, parts[0]))
            known[parts[0].strip()] = parts[1].strip()
    return known


def libpcap_reads(path):
    """True if libpcap reads the whole file (tcpdump -r), False if not, None if unknown."""
    if not shutil.which("tcpdump"):
        return None
    p = subprocess.run(["tcpdump", "-n", "-r", path, "-w", "/dev/null"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       universal_newlines=True, errors="replace")
    if p.returncode == 0:
        return True
    return False


def run_binary(binary, path):
    try:
        p = subprocess.run([binary, "-r", path, "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=BINARY_TIMEOUT,
                           universal_newlines=True, errors="replace")
    except subprocess.TimeoutExpired:
        return {"rc": None, "stderr": "timeout after %ds" % BINARY_TIMEOUT, "stdout": ""}
    return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}


def binary_counts(stdout):
    try:
        report = json.loads(stdout)
        cap = report["capture"]
        out = {k: cap[k] for k in COMPARED if k != "SERVFAIL"}
        out["SERVFAIL"] = (cap.get("rcodes") or {}).get("SERVFAIL", 0)
        for k, v in out.items():
            if not isinstance(v, int) or isinstance(v, bool):
                return None, "capture.%s is %r, not an integer" % (k, v)
        return out, None
    except (ValueError, KeyError, TypeError) as e:
        return None, "no usable JSON report on stdout (%s: %s)" % (type(e).__name__, e)


def oracle_counts(c):
    out = {k: c[k] for k in COMPARED if k != "SERVFAIL"}
    out["SERVFAIL"] = c["rcodes"].get("SERVFAIL", 0)
    return out


def check_file(binary, corpus, name):
    path = os.path.join(corpus, name)
    r = {"file": name}
    r["oracle"] = oracle.count(path)
    r["readable"] = libpcap_reads(path)
    b = run_binary(binary, path)
    r["rc"] = b["rc"]
    err_lines = [l for l in b["stderr"].splitlines()]
    r["stderr"] = b["stderr"].strip().replace("\n", " | ")[:200]
    r["exit_problem"] = None
    r["counts"] = None
    if b["rc"] == 0:
        counts, problem = binary_counts(b["stdout"])
        if problem:
            r["exit_problem"] = "exit 0 but " + problem
        r["counts"] = counts
    elif b["rc"] is None:
        r["exit_problem"] = b["stderr"]
    elif b["rc"] < 0:
        r["exit_problem"] = "killed by signal %d: %s" % (-b["rc"], r["stderr"])
    elif r["readable"] is True:
        r["exit_problem"] = "exit %d on a file libpcap reads: %s" % (b["rc"], r["stderr"])
    elif len(err_lines) != 1 or not err_lines[0].strip():
        r["exit_problem"] = ("exit %d with %d lines on stderr (want exactly one reason): %s"
                             % (b["rc"], len(err_lines), r["stderr"]))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--known", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "known-differences.tsv"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--suggest", action="store_true",
                    help="print known-differences lines for unlisted differences")
    ap.add_argument("--verbose", action="store_true", help="print every file's counts")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    binary = os.path.abspath(a.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        sys.exit("conformance: binary %s not found or not executable" % a.binary)
    if not shutil.which("tshark"):
        sys.exit("conformance: tshark is not installed (apt-get install tshark)")
    if not os.path.isdir(a.corpus):
        sys.exit("conformance: corpus %s not found (set DNSBLAME_CORPUS)" % a.corpus)
    names = corpus_files(a.corpus, a.files)
    known = read_known(a.known)
    unknown_listed = sorted(set(known) - set(corpus_files(a.corpus, [])))
    if unknown_listed:
        sys.exit("conformance: %s lists files not in the corpus: %s"
                 % (a.known, ", ".join(unknown_listed)))

    print("conformance: %s vs %s on %d captures in %s" % (
        a.binary, oracle.tshark_version(), len(names), a.corpus))
    sys.stdout.flush()
    with ThreadPoolExecutor(max(1, a.jobs)) as ex:
        results = list(ex.map(lambda n: check_file(binary, a.corpus, n), names))

    passed = failed = matched = 0
    rows = []
    for r in results:
        name = r["file"]
        o = r["oracle"]
        want = oracle_counts(o)
        got = r["counts"]
        if got is None:
            diff = {"report": "none"}
        else:
            diff = {k: (got[k], want[k]) for k in COMPARED if got[k] != want[k]}
        same = not diff
        if same:
            matched += 1
        if r["exit_problem"]:
            status, detail = "FAIL", r["exit_problem"]
        elif same and name in known:
            status, detail = "STALE", "matches tshark now: remove it from known-differences"
        elif same:
            status, detail = "ok", ""
        elif name in known:
            status, detail = "known", known[name]
        else:
            status = "FAIL"
            detail = "not in known-differences"
            if got is None:
                detail = "no report (exit %s: %s); %s" % (r["rc"], r["stderr"], detail)
        if o.get("error"):
            detail += " [oracle: %s]" % o["error"]
        if status in ("ok", "known"):
            passed += 1
        else:
            failed += 1
        if status != "ok" or a.verbose:
            if got is None:
                d = "no counts (exit %s)" % r["rc"]
            elif diff:
                d = " ".join("%s %s/%s" % (SHORT[k], g, w) for k, (g, w) in diff.items())
            else:
                d = " ".join("%s %s" % (SHORT[k], want[k]) for k in COMPARED)
            rows.append((status, name, d, detail))
        r["status"] = status
        r["diff"] = diff

    if rows:
        print("%-6s %-45s %-40s %s" % ("status", "file", "dnsblame/tshark", "reason"))
        for s, n, d, det in rows:
            print("%-6s %-45s %-40s %s" % (s, n, d, det))
    total = len(results)
    rate = matched / total if total else 1.0
    rule_ok = rate >= MIN_MATCH_RATE
    if a.files:
        print("conformance: %d/%d chosen files match tshark exactly (95%% rule applies to the "
              "whole corpus only)" % (matched, total))
    else:
        print("conformance: %d/%d files match tshark exactly (%.1f%%, need %d%%): %s"
              % (matched, total, 100 * rate, int(MIN_MATCH_RATE * 100),
                 "ok" if rule_ok else "FAIL"))
        if rule_ok:
            passed += 1
        else:
            failed += 1
    if a.suggest:
        for r in results:
            if r["status"] == "FAIL" and r["file"] not in known and not r["exit_problem"]:
                d = " ".join("%s %s/%s" % (SHORT.get(k, k), v[0], v[1]) if isinstance(v, tuple)
                             else "%s %s" % (k, v) for k, v in r["diff"].items())
                print("suggest: %s\tTODO reason (dnsblame/tshark: %s)" % (r["file"], d))
    print("conformance: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
