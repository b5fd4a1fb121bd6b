#!/usr/bin/python3
"""Live capture under load: the acceptance test of `dnsblame -i`.

pcaps/lab/make.sh (LAB_MODE=live) builds the lab (signed tree, NSD
authorities, every fault injected, one resolver with empty caches) and runs
this script inside the resolver's network namespace; tests/lab/live_load.sh
is the wrapper `make check` calls. This script drives the run and checks it:

  - tcpdump -i any -w cap.pcap (no filter, 64 MiB buffer): the oracle;
  - dnsblame -i any --format ndjson -o live.ndjson, default options
    otherwise (it drops to nobody; the -o directory is nobody's);
  - dnsperf in the client namespace (10.53.1.2, 5 sockets, EDNS) for
    SECONDS + 1 s at RATE * 1.02 q/s (the margins make the measured load at
    least what was asked), from a query file of new names (a wildcard in
    ok.lab, which no cache holds), some cached healthy names and ~11.5 %
    names of the fault zones (refused, authority SERVFAIL, three DNSSEC
    breaks, ICMP port unreachable and admin-prohibited, silent server, TCP
    reset and dropped after TC=1, CNAMEs into them);
  - while it runs: live.ndjson is followed (the wall time each line
    appears), /proc/PID/status VmRSS sampled every second, SIGUSR1 sent at
    30 s, and at 40 s live.ndjson moved to live.ndjson.1 and SIGHUP sent;
  - after the load, a trickle of healthy queries (10.53.1.3, 5 q/s) until
    one window (30 s, dnsblame's default) + 4 s after its last query, so
    that every query of the load is judged in both runs; then SIGINT to
    tcpdump and dnsblame at once, and `dnsblame -r cap.pcap --format
    ndjson` (offline) on the oracle capture.
  LAB_KEEP=1 make.sh keeps the run's files; `live_check.py --recheck --dir
  DIR --bin BIN --client-ns x` checks a kept run again without a new one.

Checks, each printed "ok ..." or "FAIL ..." with what was measured, then
"live-load: N passed, N failed" (exit 1 if any failed, 2 if the run broke):
  1. the load: >= RATE q/s for >= SECONDS s (dnsperf, and client queries in
     the capture), >= 5 % of client queries failed (SERVFAIL or no answer),
     >= 3 causes among timeout, blocked_port, upstream_error,
     dnssec_validation, truncation (>= 10 verdicts each); the oracle
     dropped nothing and holds every query dnsperf sent;
  2. the drops dnsblame reports at exit on stderr (as tcpdump) equal those
     of its summary record (both come from pcap_stats);
  3. if dnsblame dropped nothing: the multiset of (type, client, client
     port, DNS id, qname, qtype, cause, detail) of its live verdicts equals
     the offline run's, over the queries asked after both captures started
     and at least one window + 2 s before they were stopped;
  4. every SERVFAIL record appears in live.ndjson within 2 s of the
     SERVFAIL (wall time seen - its "time");
  5. SIGUSR1: "dnsblame: interim:" lines on stderr, still running, NDJSON
     lines written afterwards;
  6. SIGHUP: "reopened" on stderr, a new live.ndjson that receives verdicts;
     the two files hold every verdict (counts equal the summary's), each
     line whole and once, exactly the lines seen while following;
  7. VmRSS at every sample in the last 10 s of the load within 10 % of the
     sample at 20 s.
Python 3 standard library only.
"""
import argparse
import collections
import datetime
import json
import os
import random
import re
import signal
import statistics
import struct
import subprocess
import sys
import threading
import time
import traceback

WINDOW = 30.0          # dnsblame's default --window
RSS_REF_AT = 20.0      # seconds into the load
USR1_AT = 30.0
HUP_AT = 40.0
LATENCY_MAX = 2.0
RSS_TOLERANCE = 0.10
MIN_FAILED = 0.05
CAUSES = ("timeout", "blocked_port", "upstream_error", "dnssec_validation", "truncation")
MIN_PER_CAUSE = 10
DRAIN = WINDOW + 4.0

HERE = os.path.dirname(os.path.abspath(__file__))
ALIASES = os.path.join(HERE, "..", "..", "pcaps", "lab", "aliases.tsv")


# ---------------------------------------------------------------- workload
# (weight %, zone, kind): kind "new" = a new random label under the zone each
# time, "fixed" = one of the zone's fixed names (cached, or failure-cached)
FIXED = {
    "ok": [("www.ok.lab.", "A"), ("www.ok.lab.", "AAAA"), ("mail.ok.lab.", "A"), ("ok.lab.", "MX"),
           ("alias.ok.lab.", "A"), ("www.v6only.lab.", "AAAA"), ("www.lab.", "A"), ("_sip._udp.ok.lab.", "SRV")],
    "tcreset": [("big1.tcreset.lab.", "TXT"), ("big2.tcreset.lab.", "TXT")],
    "tcdrop": [("big1.tcdrop.lab.", "TXT"), ("big2.tcdrop.lab.", "TXT")],
}
MIX = [
    (80.5, "live.ok", "new"),   # wildcard: NOERROR, not in any cache
    (4.0, "ok", "new"),         # NXDOMAIN (aggressive NSEC may answer from cache)
    (4.0, "ok", "fixed"),       # cached
    (2.0, "lame", "new"),       # REFUSED: upstream_error
    (1.0, "servfail", "new"),   # authority SERVFAIL: upstream_error
    (2.0, "expired", "new"),    # dnssec_validation
    (1.0, "dsmismatch", "new"),
    (1.0, "unsigned", "new"),
    (1.5, "dead", "new"),       # ICMP port unreachable: blocked_port
    (0.5, "prohib", "new"),     # ICMP admin prohibited: blocked_port
    (0.5, "silent", "new"),     # timeout (Unbound: mostly never answered)
    (1.0, "tcreset", "fixed"),  # TC=1 then TCP reset: truncation
    (0.5, "tcdrop", "fixed"),   # TC=1 then TCP dropped: truncation
    (0.5, "alias", "fixed"),    # CNAME chains into the fault zones
]
EXPECTED_CAUSE = {"lame": "upstream_error", "servfail": "upstream_error", "expired": "dnssec_validation",
                  "dsmismatch": "dnssec_validation", "unsigned": "dnssec_validation",
                  "dead": "blocked_port", "prohib": "blocked_port", "silent": "timeout",
                  "tcreset": "truncation", "tcdrop": "truncation"}


def alias_names():
    names = []
    for line in open(ALIASES):
        if line.strip() and not line.startswith("#"):
            owner, target = line.split()[:2]
            if "v6only" in owner or owner.startswith("v6-"):
                continue
            names.append((owner, "TXT" if target.split(".")[0] in ("big1", "big2", "txt1", "txt2") else "A"))
    return names


def write_queries(path, n, seed):
    rng = random.Random(seed)
    aliases = alias_names()
    weights = [w for w, _, _ in MIX]
    with open(path, "w") as f:
        for i in range(n):
            _, zone, kind = rng.choices(MIX, weights)[0]
            if zone == "alias":
                q = rng.choice(aliases)
            elif kind == "fixed":
                q = rng.choice(FIXED[zone])
            else:
                q = ("q%x%04x.%s.lab." % (i, rng.getrandbits(16), zone),
                     rng.choice(("A", "AAAA")) if zone == "live.ok" else "A")
            f.write("%s %s\n" % q)


def zone_of(qname):
    """The lab zone a load name belongs to (for the by-zone table)."""
    n = qname.rstrip(".").lower()
    if n.endswith(".live.ok.lab"):
        return "live.ok"
    if n.endswith("-alias.ok.lab") or n.startswith("chain-"):
        return "alias"
    labels = n.split(".")
    return labels[-2] if len(labels) >= 3 else labels[-1]


# ---------------------------------------------------------------- helpers
def iso_ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def wait_text(path, text, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if text in open(path, errors="replace").read():
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def rss_kib(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return None


class Follower(threading.Thread):
    """Follows PATH as `tail -F` does: every file that appears at PATH is
    read to its end, the old one too after a rotation; each whole line is
    recorded with the wall time it was first read."""

    def __init__(self, path, interval=0.02):
        super().__init__(daemon=True)
        self.path, self.interval = path, interval
        self.files = []   # [fd, inode, pending bytes]
        self.lines = []   # (wall time, file index, bytes)
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()

    def poll(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if st and (not self.files or st.st_ino != self.files[-1][1]):
            try:
                fd = os.open(self.path, os.O_RDONLY)
                if os.fstat(fd).st_ino in [x[1] for x in self.files]:
                    os.close(fd)
                else:
                    self.files.append([fd, os.fstat(fd).st_ino, b""])
            except FileNotFoundError:
                pass
        for i, f in enumerate(self.files):
            while True:
                data = os.read(f[0], 1 << 20)
                if not data:
                    break
                now = time.time()
                f[2] += data
                *whole, f[2] = f[2].split(b"\n")
                with self.lock:
                    for w in whole:
                        self.lines.append((now, i, w))

    def count(self):
        with self.lock:
            return len(self.lines)

    def run(self):
        while not self.stop_flag.is_set():
            self.poll()
            time.sleep(self.interval)

    def finish(self):
        self.stop_flag.set()
        self.join()
        self.poll()
        return [f[2] for f in self.files]   # partial lines left (should be none)


def read_pcap(path, server, load_client, trickle_client):
    """Client queries to SERVER from the load client (and the trickle's),
    and the resolver's answers to them, from tcpdump's capture (IPv4 UDP;
    link types LINUX_SLL2, LINUX_SLL, EN10MB)."""
    srv = bytes(int(x) for x in server.split("."))
    lc = bytes(int(x) for x in load_client.split("."))
    tc = bytes(int(x) for x in trickle_client.split("."))
    out = {"queries": [], "trickle": 0, "rcodes": collections.Counter(), "packets": 0,
           "first": None, "last": None}
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack_from(">I", data, 0)[0]
    div = 1e9 if magic == 0xa1b23c4d else 1e6
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0xffff
    off = 24
    rec = struct.Struct(e + "IIII")
    while off + 16 <= len(data):
        sec, frac, caplen, _ = rec.unpack_from(data, off)
        off += 16
        pkt = data[off:off + caplen]
        off += caplen
        ts = sec + frac / div
        out["packets"] += 1
        out["first"] = ts if out["first"] is None else out["first"]
        out["last"] = ts
        if linktype == 276:
            proto, ip = struct.unpack_from(">H", pkt, 0)[0], 20
        elif linktype == 113:
            proto, ip = struct.unpack_from(">H", pkt, 14)[0], 16
        elif linktype == 1:
            proto, ip = struct.unpack_from(">H", pkt, 12)[0], 14
        else:
            raise SystemExit("live_check: link type %d not handled" % linktype)
        if proto != 0x0800 or len(pkt) < ip + 28 or pkt[ip + 9] != 17:
            continue
        if struct.unpack_from(">H", pkt, ip + 6)[0] & 0x1fff:
            continue
        src, dst = pkt[ip + 12:ip + 16], pkt[ip + 16:ip + 20]
        u = ip + (pkt[ip] & 15) * 4
        sport, dport = struct.unpack_from(">HH", pkt, u)
        if len(pkt) < u + 12:
            continue
        qid, flags = struct.unpack_from(">HH", pkt, u + 8)
        if dst == srv and dport == 53 and not flags & 0x8000:
            if src == lc:
                out["queries"].append((ts, sport, qid))
            elif src == tc:
                out["trickle"] += 1
        elif src == srv and sport == 53 and dst == lc and flags & 0x8000:
            out["rcodes"][flags & 15] += 1
    return out


def read_ndjson(path):
    recs, bad = [], []
    if not os.path.exists(path):
        return recs, bad, False
    raw = open(path, "rb").read()
    whole_end = raw.endswith(b"\n") or not raw
    for line in raw.split(b"\n"):
        if not line:
            continue
        try:
            recs.append(json.loads(line))
        except ValueError:
            bad.append(line[:80])
    return recs, bad, whole_end


def vkey(r):
    return (r["type"], r["client"], r["client_port"], r["id"], r["qname"], r["qtype"], r["cause"], r["detail"])


def exit_stats(path):
    """tcpdump's (and dnsblame's) closing lines: N packets captured, ..."""
    st = {}
    for line in open(path, errors="replace"):
        m = re.match(r"^(\d+) packets (captured|received by filter|dropped by kernel|dropped by interface)$",
                     line.strip())
        if m:
            st[m.group(2)] = int(m.group(1))
    return st


# ---------------------------------------------------------------- the run
class Run:
    def __init__(self, a):
        self.a = a
        self.d = a.dir
        self.p = lambda name: os.path.join(self.d, name)
        self.procs = []
        self.t = {}   # wall times of the run's moments

    def spawn(self, argv, out, err):
        pr = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=open(self.p(out), "wb"),
                              stderr=open(self.p(err), "wb"))
        self.procs.append(pr)
        return pr

    def kill_all(self):
        for pr in self.procs:
            if pr.poll() is None:
                pr.kill()
                pr.wait()

    def drive(self):
        a, p = self.a, self.p
        rate_cmd = int(round(a.rate * 1.02))
        load_len = a.seconds + 1
        write_queries(p("queries.txt"), int(rate_cmd * load_len * 1.1) + 1000, a.seed)
        with open(p("trickle.txt"), "w") as f:
            for q in FIXED["ok"]:
                f.write("%s %s\n" % q)
        self.tcpdump = self.spawn(["tcpdump", "-Z", "root", "-n", "-i", "any", "-s", "65535", "-B", "65536",
                                   "-w", p("cap.pcap")], "tcpdump.out", "tcpdump.err")
        if not wait_text(p("tcpdump.err"), "listening on", 10):
            raise RuntimeError("tcpdump did not start: %s" % open(p("tcpdump.err")).read())
        self.live = p("live.ndjson")
        self.db = self.spawn([a.bin, "-i", "any", "--format", "ndjson", "-o", self.live],
                             "dnsblame.out", "dnsblame.err")
        if not wait_text(p("dnsblame.err"), "listening on", 10):
            raise RuntimeError("dnsblame did not start: %s" % open(p("dnsblame.err")).read())
        self.t["both_started"] = time.time()
        self.follow = Follower(self.live)
        self.follow.start()
        self.rss = []   # (wall, KiB)
        rss_stop = threading.Event()

        def sample():
            nxt = time.time()
            while not rss_stop.is_set():
                v = rss_kib(self.db.pid)
                if v is not None:
                    self.rss.append((time.time(), v))
                nxt += 1.0
                rss_stop.wait(max(0, nxt - time.time()))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        time.sleep(1.0)

        ns = ["ip", "netns", "exec", a.client_ns]
        self.t["load_start"] = time.time()
        perf = self.spawn(ns + ["dnsperf", "-s", a.server, "-a", a.client, "-d", p("queries.txt"),
                                "-l", str(load_len), "-Q", str(rate_cmd), "-q", "2000", "-c", "5", "-t", "5", "-e",
                                "-O", "suppress=timeouts,unexpected,congestion,sockready"],
                          "dnsperf.out", "dnsperf.err")
        t0 = self.t["load_start"]
        # SIGUSR1 at 30 s
        self.sleep_until(t0 + USR1_AT)
        self.usr1 = {"lines_before": self.follow.count(), "err_off": os.path.getsize(p("dnsblame.err"))}
        self.t["usr1"] = time.time()
        self.db.send_signal(signal.SIGUSR1)
        time.sleep(1.5)
        self.usr1["alive_after"] = self.db.poll() is None
        with open(p("dnsblame.err"), errors="replace") as f:
            f.seek(self.usr1["err_off"])
            self.usr1["err"] = [x.rstrip("\n") for x in f]
        # log rotation at 40 s
        self.sleep_until(t0 + HUP_AT)
        self.hup = {"err_off": os.path.getsize(p("dnsblame.err"))}
        os.rename(self.live, self.live + ".1")
        self.t["hup"] = time.time()
        self.db.send_signal(signal.SIGHUP)
        end = time.time() + 3
        while time.time() < end and not os.path.exists(self.live):
            time.sleep(0.02)
        self.hup["appeared_after"] = time.time() - self.t["hup"] if os.path.exists(self.live) else None
        # the end of the load
        try:
            perf.wait(timeout=load_len + 30)
        except subprocess.TimeoutExpired:
            perf.kill()
            perf.wait()
        self.t["load_end"] = time.time()
        self.perf_rc = perf.returncode
        # drain: healthy trickle until one window (and a little) after the
        # last query of the load, so that both runs' capture time passes the
        # window of every load query (dnsperf itself waits up to its 5 s
        # timeout for the last answers)
        drain = max(5, int(t0 + load_len + DRAIN - time.time() + 0.999))
        tr = self.spawn(ns + ["dnsperf", "-s", a.server, "-a", a.trickle_client, "-d", p("trickle.txt"),
                              "-l", str(drain), "-Q", "5", "-t", "2"], "trickle.out", "trickle.err")
        tr.wait(timeout=drain + 30)
        time.sleep(0.5)
        self.t["stop"] = time.time()
        self.db_alive_at_stop = self.db.poll() is None
        for pr in (self.tcpdump, self.db):
            if pr.poll() is None:
                pr.send_signal(signal.SIGINT)
        for pr in (self.tcpdump, self.db):
            try:
                pr.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pr.kill()
                pr.wait()
        self.t["stopped"] = time.time()
        self.db_rc = self.db.returncode
        rss_stop.set()
        sampler.join()
        self.leftover = [x.decode(errors="replace") for x in self.follow.finish()]
        with open(p("seen.tsv"), "w") as f:
            for w, i, line in self.follow.lines:
                f.write("%.6f\t%d\t%d\n" % (w, i, len(line)))
        with open(p("rss.tsv"), "w") as f:
            for w, v in self.rss:
                f.write("%.3f\t%d\n" % (w - t0, v))
        # the offline run on the oracle's capture
        t = time.time()
        off = subprocess.run([a.bin, "-r", p("cap.pcap"), "--format", "ndjson", "-o", p("offline.ndjson")],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=open(p("offline.err"), "wb"), timeout=600)
        self.offline_rc, self.offline_s = off.returncode, time.time() - t
        with open(p("state.json"), "w") as f:
            json.dump({k: getattr(self, k) for k in self.STATE}, f)

    # what --recheck needs besides the files (the lines seen: seen.tsv)
    STATE = ("t", "usr1", "hup", "db_rc", "offline_rc", "offline_s", "rss", "leftover")

    def load(self):
        """--recheck: the state of a kept run (LAB_KEEP=1) and the lines
        seen while following, in the order of each file."""
        st = json.load(open(self.p("state.json")))
        for k in self.STATE:
            setattr(self, k, st[k])
        self.leftover = [x.encode() for x in self.leftover]
        self.live = self.p("live.ndjson")
        files = [open(self.live + ".1", "rb").read().split(b"\n"), open(self.live, "rb").read().split(b"\n")]
        pos = [0, 0]
        self.follow = Follower(self.live)
        for line in open(self.p("seen.tsv")):
            w, i, _ = line.split("\t")
            i = int(i)
            self.follow.lines.append((float(w), i, files[i][pos[i]]))
            pos[i] += 1

    def sleep_until(self, t):
        while time.time() < t:
            if self.db.poll() is not None:
                return
            time.sleep(min(0.05, max(0, t - time.time())))


# ---------------------------------------------------------------- checks
class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, good, text):
        if good:
            self.passed += 1
            print("ok   " + text)
        else:
            self.failed += 1
            print("FAIL " + text)
        sys.stdout.flush()


def note(text):
    print("     " + text)


def check(run, a):
    C = Checks()
    p, t0 = run.p, run.t["load_start"]

    # ---- the inputs of every check
    cap = read_pcap(p("cap.pcap"), a.server, a.client, a.trickle_client)
    perf = open(p("dnsperf.out"), errors="replace").read()

    def num(rx, cast=float):
        m = re.search(rx, perf)
        return cast(m.group(1)) if m else None
    sent = num(r"Queries sent:\s+(\d+)", int)
    lost = num(r"Queries lost:\s+(\d+)", int) or 0
    perf_qps = num(r"Queries per second:\s+([\d.]+)")
    perf_run = num(r"Run time \(s\):\s+([\d.]+)")
    perf_rc = dict(re.findall(r"([A-Z]+) (\d+) \(", (re.search(r"Response codes:(.*)", perf) or [None, ""])[1]))
    perf_sf = int(perf_rc.get("SERVFAIL", 0))
    tcpd = exit_stats(p("tcpdump.err"))
    dbst = exit_stats(p("dnsblame.err"))
    old, bad_old, whole_old = read_ndjson(run.live + ".1")
    new, bad_new, whole_new = read_ndjson(run.live)
    live_all = old + new
    live_v = [r for r in live_all if r.get("type") in ("servfail", "unanswered", "pending")]
    summaries = [r for r in live_all if r.get("type") == "summary"]
    summ = summaries[-1] if summaries else {}
    offl, bad_off, _ = read_ndjson(p("offline.ndjson"))
    off_v = [r for r in offl if r.get("type") in ("servfail", "unanswered", "pending")]
    off_summ = ([r for r in offl if r.get("type") == "summary"] or [{}])[-1]
    print("live-load: dnsblame exit %s, %d live records (%d + %d lines), offline run exit %s in %.1f s, %d records"
          % (run.db_rc, len(live_all), len(old) + len(bad_old), len(new) + len(bad_new), run.offline_rc,
             run.offline_s, len(offl)))

    # ---- 0. the oracle
    q = cap["queries"]
    # the load lasts from dnsperf's start to its last query (it then waits
    # for the last answers)
    load_len = (q[-1][0] - t0) if q else run.t["load_end"] - t0
    C(tcpd.get("dropped by kernel") == 0 and sent is not None and sent == len(q),
      "oracle: tcpdump captured %s packets, dropped %s by the kernel; it holds %d client queries of the load, "
      "dnsperf sent %s" % (tcpd.get("captured"), tcpd.get("dropped by kernel"), len(q), sent))

    # ---- 1. the load
    dur = (q[-1][0] - q[0][0]) if len(q) > 1 else 0.0
    cap_rate = len(q) / dur if dur else 0.0
    bins = collections.Counter(int(ts - q[0][0]) for ts, _, _ in q) if q else {}
    full = [bins.get(k, 0) for k in range(int(dur))]
    perf_sent_rate = (sent or 0) / (a.seconds + 1)
    C(dur >= a.seconds and cap_rate >= a.rate and perf_sent_rate >= a.rate,
      "load: %d client queries over %.2f s in the capture = %.1f q/s (each whole second: min %s, median %s, "
      "max %s); dnsperf: %s sent in its %d s = %.1f q/s (asked %d q/s; needed >= %d q/s for >= %d s)"
      % (len(q), dur, cap_rate, min(full) if full else "-", int(statistics.median(full)) if full else "-",
         max(full) if full else "-", sent, a.seconds + 1, perf_sent_rate, int(round(a.rate * 1.02)),
         a.rate, a.seconds))
    note("dnsperf: %s answered in %s s (%s answers/s, its 'Queries per second'), %d lost"
         % ((sent or 0) - lost, perf_run, perf_qps, lost))
    reuse = 0
    last_seen = {}
    for ts, sp, qid in q:
        k = (sp, qid)
        if k in last_seen and ts - last_seen[k] < WINDOW:
            reuse += 1
        last_seen[k] = ts
    note("%d source ports; %d queries reuse a (port, id) of the last %d s; SERVFAIL answers to the load "
         "client in the capture: %d" % (len(set(sp for _, sp, _ in q)), reuse, WINDOW, cap["rcodes"][2]))
    lc = a.client
    off_load = [r for r in off_v if r["client"] == lc]
    failed_perf = (perf_sf + lost) / sent if sent else 0.0
    failed_vd = len(off_load) / len(q) if q else 0.0
    C(failed_perf >= MIN_FAILED and failed_vd >= MIN_FAILED,
      "failures: dnsperf %d SERVFAIL + %d no answer = %.2f %% of %s; offline verdicts %d of %d client "
      "queries = %.2f %% (>= %d %%)" % (perf_sf, lost, 100 * failed_perf, sent, len(off_load), len(q),
                                       100 * failed_vd, 100 * MIN_FAILED))
    by_cause = collections.Counter(r["cause"] for r in off_load)
    by_kind = collections.Counter((r["type"], r["cause"]) for r in off_load)
    causes = [c for c in CAUSES if by_cause[c] >= MIN_PER_CAUSE]
    C(len(causes) >= 3,
      "causes: %d of the five with >= %d verdicts (%s); all: %s"
      % (len(causes), MIN_PER_CAUSE, ", ".join(causes),
         ", ".join("%s %s %d" % (k[0], k[1], n) for k, n in sorted(by_kind.items()))))
    zt = collections.defaultdict(collections.Counter)
    for r in off_load:
        zt[zone_of(r["qname"])]["%s %s/%s" % (r["type"], r["cause"], r["detail"])] += 1
    for z in sorted(zt):
        exp = EXPECTED_CAUSE.get(z)
        note("zone %-10s %s%s" % (z, ", ".join("%s %d" % x for x in zt[z].most_common()),
                                   "  (injected: %s)" % exp if exp else ""))

    # ---- 2. drops: stderr and the summary record
    sc = summ.get("capture", {})
    pairs = [("captured", "packets"), ("received by filter", "kernel_received"),
             ("dropped by kernel", "kernel_drops"), ("dropped by interface", "interface_drops")]
    same = all(k in dbst and sc.get(j) is not None and dbst[k] == sc[j] for k, j in pairs)
    C(same, "drops: dnsblame's stderr at exit: %s; its summary record: %s"
      % (", ".join("%s %s" % (k, dbst.get(k)) for k, _ in pairs),
         ", ".join("%s %s" % (j, sc.get(j)) for _, j in pairs)))
    if dbst:
        note("received - dropped - captured = %d (read by the kernel, not by dnsblame when it stopped); "
             "tcpdump: %s captured, %s received, %s dropped"
             % (dbst.get("received by filter", 0) - dbst.get("dropped by kernel", 0) - dbst.get("captured", 0),
                tcpd.get("captured"), tcpd.get("received by filter"), tcpd.get("dropped by kernel")))
    drops = (dbst.get("dropped by kernel") or 0) + (dbst.get("dropped by interface") or 0)

    # ---- 3. live verdicts == offline verdicts
    lo = run.t["both_started"] + 1.0
    hi = run.t["stop"] - WINDOW - 2.0

    def inside(r):
        return lo <= iso_ts(r["query_time"]) <= hi
    lv = collections.Counter(vkey(r) for r in live_v if inside(r))
    ov = collections.Counter(vkey(r) for r in off_v if inside(r))
    edge = (sum(1 for r in live_v if not inside(r)), sum(1 for r in off_v if not inside(r)))
    only_l, only_o = lv - ov, ov - lv
    if drops or dbst.get("dropped by kernel") is None:
        C(dbst.get("dropped by kernel") is not None,
          "verdicts: not required to be equal: dnsblame reported %d packets dropped (the acceptance compares "
          "runs without drops); live %d, offline %d; live only %d, offline only %d"
          % (drops, sum(lv.values()), sum(ov.values()), sum(only_l.values()), sum(only_o.values())))
    else:
        C(not only_l and not only_o and sum(lv.values()) > 0,
          "verdicts: live %d = offline %d (queries asked %.1f s to %.1f s after both captures started; "
          "outside: %d live, %d offline); live only %d, offline only %d"
          % (sum(lv.values()), sum(ov.values()), lo - run.t["both_started"], hi - run.t["both_started"],
             edge[0], edge[1], sum(only_l.values()), sum(only_o.values())))
        for name, diff in (("live only", only_l), ("offline only", only_o)):
            for k, n in list(diff.items())[:5]:
                note("%s: %s%s" % (name, " ".join(str(x) for x in k), " x%d" % n if n > 1 else ""))
        if only_l or only_o:
            kinds = collections.Counter()
            lkeys = collections.Counter(k[:6] for k in only_l.elements())
            okeys = collections.Counter(k[:6] for k in only_o.elements())
            kinds["other cause/detail or type"] = sum((lkeys & okeys).values())
            kinds["verdict only live"] = sum((lkeys - okeys).values())
            kinds["verdict only offline"] = sum((okeys - lkeys).values())
            note("differences: " + ", ".join("%s %d" % x for x in kinds.items()))

    # ---- 4. latency of SERVFAIL records
    lat, ulat = [], []   # (sent, s into the load; seen - sent), (seen - "time")
    for w, i, line in run.follow.lines:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "servfail":
            lat.append((iso_ts(r["time"]) - t0, w - iso_ts(r["time"])))
        elif r.get("type") == "unanswered":
            ulat.append(w - iso_ts(r["time"]))
    ls = [x for _, x in lat]
    late = [(t, x) for t, x in lat if x > LATENCY_MAX]
    C(ls and not late,
      "latency: %d SERVFAIL records, seen after their SERVFAIL: min %.2f s, median %.2f s, p90 %.2f s, "
      "p99 %.2f s, p99.9 %.2f s, max %.2f s; %d later than %.0f s"
      % (len(ls), min(ls or [0]), pct(ls, 50), pct(ls, 90), pct(ls, 99), pct(ls, 99.9),
         max(ls or [0]), len(late), LATENCY_MAX))
    steady = [x for t, x in lat if t < load_len - 1.0]
    tail = [x for t, x in lat if t >= load_len - 1.0]
    note("SERVFAILs sent before the load's last second: max %.2f s (%d); in its last second or after "
         "(the link then nearly idle): max %.2f s (%d)"
         % (max(steady or [0]), len(steady), max(tail or [0]), len(tail)))
    if late:
        note("later than %.0f s: SERVFAILs sent %.2f-%.2f s into the load (its last query at %.2f s)"
             % (LATENCY_MAX, min(late)[0], max(late)[0], load_len))
    if ulat:
        note("never-answered records (\"time\" = query + window): seen after it: median %.2f s, max %.2f s, "
             "%d; after their query: median %.2f s" % (pct(ulat, 50), max(ulat), len(ulat),
                                                      pct(ulat, 50) + WINDOW))

    # ---- 5. SIGUSR1
    u = run.usr1
    interim = [x for x in u["err"] if x.startswith("dnsblame: interim:")]
    after = sum(1 for w, _, _ in run.follow.lines if w > run.t["usr1"] + 1.5)
    C(interim and u["alive_after"] and after > 0,
      "SIGUSR1 at %.1f s: %d interim lines on stderr (%s), running after it: %s, %d NDJSON lines after it"
      % (run.t["usr1"] - t0, len(interim), " | ".join(x[len("dnsblame: interim: "):] for x in interim),
         "yes" if u["alive_after"] else "no", after))

    # ---- 6. SIGHUP
    err_after = open(p("dnsblame.err"), errors="replace").read()[run.hup["err_off"]:]
    reopened = "reopened" in err_after
    new_v = [r for r in new if r.get("type") in ("servfail", "unanswered", "pending")]
    C(reopened and run.hup["appeared_after"] is not None and len(new_v) > 0,
      "SIGHUP at %.1f s: %s on stderr; new live.ndjson %s; %d verdicts in live.ndjson.1, %d in the new file"
      % (run.t["hup"] - t0, "'reopened'" if reopened else "no 'reopened'",
         "after %.2f s" % run.hup["appeared_after"] if run.hup["appeared_after"] is not None else "never appeared",
         len([r for r in old if r.get("type") != "summary"]), len(new_v)))
    s = summ.get("summary", {})
    counts = collections.Counter(r["type"] for r in live_v)
    keys = collections.Counter(json.dumps(r, sort_keys=True) for r in live_v)
    dups = sum(n - 1 for n in keys.values() if n > 1)
    raw_union = collections.Counter(x for x in (open(run.live + ".1", "rb").read().split(b"\n")
                                                + (open(run.live, "rb").read().split(b"\n")
                                                   if os.path.exists(run.live) else [])) if x)
    raw_seen = collections.Counter(line for _, _, line in run.follow.lines if line)
    left = [x for x in run.leftover if x]
    good = (not bad_old and not bad_new and whole_old and whole_new and not dups and len(summaries) == 1
            and counts["servfail"] == s.get("servfails") and counts["unanswered"] == s.get("unanswered")
            and counts["pending"] == min(s.get("pending", 0), 1000) and raw_union == raw_seen and not left)
    C(good,
      "rotation: both files: %d servfail, %d unanswered, %d pending records = summary %s, %s, %s; "
      "%d summary record(s); %d lines not JSON, %d duplicated, files end with a newline: %s; lines seen "
      "while following = lines in the files: %s%s"
      % (counts["servfail"], counts["unanswered"], counts["pending"], s.get("servfails"), s.get("unanswered"),
         s.get("pending"), len(summaries), len(bad_old) + len(bad_new), dups,
         "yes" if whole_old and whole_new else "no", "yes" if raw_union == raw_seen else
         "no (%d only in the files, %d only seen)" % (sum((raw_union - raw_seen).values()),
                                                     sum((raw_seen - raw_union).values())),
         "; %d bytes of a partial line left" % sum(len(x) for x in left) if left else ""))

    # ---- 7. RSS
    rel = [(w - t0, v) for w, v in run.rss]
    ref = min(rel, key=lambda x: abs(x[0] - RSS_REF_AT)) if rel else None
    last = [(t, v) for t, v in rel if load_len - 10.0 <= t <= load_len]
    worst = max(last, key=lambda x: abs(x[1] - ref[1])) if last and ref else None
    ok = bool(ref and last and abs(ref[0] - RSS_REF_AT) <= 1.0 and
              all(abs(v - ref[1]) <= RSS_TOLERANCE * ref[1] for _, v in last))
    C(ok, "RSS: %s at %.0f s of the load; last 10 s (%.0f-%.0f s): %s; furthest %s (%+.1f %%, limit %d %%)"
      % ("%.1f MiB" % (ref[1] / 1024) if ref else "-", ref[0] if ref else 0, load_len - 10, load_len,
         " ".join("%.1f" % (v / 1024) for _, v in last) + " MiB",
         "%.1f MiB" % (worst[1] / 1024) if worst else "-",
         100.0 * (worst[1] - ref[1]) / ref[1] if worst else 0, 100 * RSS_TOLERANCE))
    series = ["%d:%.1f" % (round(t), v / 1024) for t, v in rel]
    for i in range(0, len(series), 12):
        note(("RSS MiB by second of the load: " if i == 0 else "  ") + " ".join(series[i:i + 12]))

    other = [x.rstrip("\n") for x in open(p("dnsblame.err"), errors="replace")
             if not re.match(r"^dnsblame: (listening on|interim:|SIGHUP: .* reopened)|^\d+ packets ", x)]
    for x in other[:10]:
        note("dnsblame's stderr: " + x[:200])
    note("dnsblame offline: %s" % ", ".join(
        "%s %s" % (k, off_summ.get("summary", {}).get(k)) for k in ("servfails", "unanswered", "pending")))
    return C


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--client-ns", required=True)
    ap.add_argument("--server", default="10.53.1.1")
    ap.add_argument("--client", default="10.53.1.2")
    ap.add_argument("--trickle-client", default="10.53.1.3")
    ap.add_argument("--resolver", default="unbound")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=53)
    ap.add_argument("--result", help="write the closing line here instead of printing it (the wrapper "
                    "prints it last)")
    ap.add_argument("--recheck", action="store_true", help="check the kept run in --dir again (no new run)")
    a = ap.parse_args()
    if a.seconds < HUP_AT + 10:
        ap.error("--seconds: at least %d (SIGHUP at %d s, RSS over the last 10 s)" % (HUP_AT + 10, HUP_AT))
    t_start = time.time()
    run = Run(a)
    closing = None
    rc = 2
    try:
        if a.recheck:
            run.load()
        else:
            run.drive()
        print("live-load: %s, dnsblame %s; load %d s at %d q/s; run %.0f s (load %.0f s, drain %.0f s, "
              "stop %.1f s, offline %.1f s)"
              % (a.resolver, a.bin, a.seconds, a.rate, time.time() - t_start,
                 run.t["load_end"] - run.t["load_start"], run.t["stop"] - run.t["load_end"],
                 run.t["stopped"] - run.t["stop"], run.offline_s))
        C = check(run, a)
        closing = "live-load: %d passed, %d failed" % (C.passed, C.failed)
        rc = 0 if C.failed == 0 else 1
    except Exception:
        traceback.print_exc()
        print("FAIL the run broke (see above)")
        closing = "live-load: 0 passed, 1 failed"
    finally:
        run.kill_all()
    print("live-load: %.0f s in all" % (time.time() - t_start))
    if a.result:
        with open(a.result, "w") as f:
            f.write(closing + "\n")
    else:
        print(closing)
    return rc


if __name__ == "__main__":
    sys.exit(main())
