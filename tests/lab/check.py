#!/usr/bin/env python3
"""Attribution accuracy on the lab captures of real resolvers.

For every pcaps/lab/<resolver>.pcap with its <resolver>.truth.tsv (what each
client query received and the true cause, written from what the lab
injected), run dnsblame and check:
  1. every SERVFAIL the clients received has a verdict, and at least 95% of
     them name the true cause; every miss is listed, with its reason, in
     tests/lab/known-misses.tsv (a listed miss that no longer happens fails
     too, so the list stays true);
  2. no NOERROR/NXDOMAIN client answer is reported as a SERVFAIL;
  3. with --dnssec-audit, no healthy signed answer is judged bogus;
  4. the same capture filtered to the client side only (the authorities'
     addresses removed with a BPF filter) reports every SERVFAIL, with
     vantage client-side, and takes the cause from the resolver's EDE when
     it sent one.
Unanswered client queries are scored too and printed, but only the
SERVFAIL figures gate the test.  A repeated SERVFAIL (failure cache, server
held down, coalesced) is scored against its root cause, as the truth gives
it; the truth's `via` column (truth files without it are read too) is
compared with the verdict's `via`, for information only.  The mixed-load
captures are scored by load_check.py.  Closing line: "lab: N passed, N failed".
"""
import csv, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAB = os.path.join(ROOT, "pcaps", "lab")
COLS = ["time", "client", "client_port", "transport", "id", "qname", "qtype",
        "received", "scenario", "cause", "detail"]
EDE_CAUSE = {1: "dnssec_validation", 2: "dnssec_validation", 6: "dnssec_validation",
             7: "dnssec_validation", 8: "dnssec_validation", 9: "dnssec_validation",
             10: "dnssec_validation", 11: "dnssec_validation", 12: "dnssec_validation",
             13: "no_upstream", 20: "upstream_error", 21: "upstream_error",
             22: "timeout", 23: "blocked_port"}


def norm(name):
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def key(client, port, ident, qname, qtype):
    return (client, int(port), int(ident), norm(qname), qtype.upper())


def read_truth(path):
    """Rows as dicts.  The first line names the columns when it starts with
    "time" or "# time" (truth.py writes "# time ... detail via note"; older
    files have no via column); otherwise COLS."""
    rows, header = [], COLS
    with open(path, newline="") as f:
        for i, r in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)):
            if i == 0 and r and r[0].lstrip("# ") == "time":
                header = [r[0].lstrip("# ")] + r[1:]
                continue
            if not r or r[0].startswith("#"):
                continue
            rows.append(dict(zip(header, r)))
    return rows


def read_known():
    known = {}
    p = os.path.join(HERE, "known-misses.tsv")
    if os.path.exists(p):
        for line in open(p):
            if line.strip() and not line.startswith("#"):
                res, client, port, ident, reason = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
                known[(res, client, int(port), int(ident))] = reason
    return known


def run(binary, pcap, bpf=None, extra=()):
    cmd = [binary, "-r", pcap, "--format", "json"] + list(extra) + ([bpf] if bpf else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def verdict_map(rep, section):
    return {key(v["client"], v["client_port"], v["id"], v["qname"], v["qtype"]): v
            for v in rep.get(section, [])}


def upstream_servers(pcap):
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "dns.flags.response==0 && dns.flags.recdesired==0",
                          "-T", "fields", "-e", "ip.dst", "-e", "ipv6.dst"],
                         capture_output=True, text=True).stdout
    # ICMP errors quote a second address pair: fields may hold "a,b".
    return sorted({a for line in out.split("\n") for f in line.split("\t") for a in f.split(",") if a})


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "dnsblame")
    known = read_known()
    used, seen = set(), set()
    passed = failed = 0
    captures = sorted(f for f in os.listdir(LAB) if f.endswith(".pcap")) if os.path.isdir(LAB) else []
    if not captures:
        print("lab: no captures in pcaps/lab (run make pcaps)")
        print("lab: 0 passed, 1 failed")
        return 1
    for cap in captures:
        res = cap[:-5]
        truth_path = os.path.join(LAB, res + ".truth.tsv")
        if not os.path.exists(truth_path):
            continue
        pcap = os.path.join(LAB, cap)
        truth = read_truth(truth_path)
        rep = run(binary, pcap)
        sf, un = verdict_map(rep, "servfails"), verdict_map(rep, "unanswered")
        n_sf = ok_sf = n_un = ok_un = n_dn = ok_dn = n_via = ok_via = 0
        bad = []
        for t in truth:
            k = key(t["client"], t["client_port"], t["id"], t["qname"], t["qtype"])
            got = t["received"].upper()
            kk = (res, t["client"], int(t["client_port"]), int(t["id"]))
            if got == "SERVFAIL":
                seen.add(kk)
            if got == "SERVFAIL":
                n_sf += 1
                v = sf.get(k)
                if t["cause"] == "dnssec_validation":
                    # Offline verification must name the broken rule too.
                    n_dn += 1
                    if v and v["detail"] == t["detail"]:
                        ok_dn += 1
                    elif v and v["cause"] == t["cause"]:
                        bad.append("DNSSEC DETAIL %s %s: got %s, truth %s" % (
                            t["qname"], t["qtype"], v["detail"], t["detail"]))
                if v and t.get("via", "-") not in ("-", ""):
                    n_via += 1
                    if v.get("via") == t["via"]:
                        ok_via += 1
                if v and v["cause"] == t["cause"]:
                    ok_sf += 1
                    if kk in known:
                        bad.append("STALE known miss %s %s: now right" % (t["qname"], t["qtype"]))
                    continue
                why = "no verdict" if not v else "got %s/%s, truth %s/%s" % (
                    v["cause"], v["detail"], t["cause"], t["detail"])
                if kk in known:
                    used.add(kk)
                else:
                    bad.append("MISS %s %s %s from %s:%s id %s: %s" % (
                        t["scenario"], t["qname"], t["qtype"], t["client"], t["client_port"], t["id"], why))
            elif got in ("NOERROR", "NXDOMAIN"):
                if k in sf:
                    bad.append("FALSE SERVFAIL for %s %s (%s)" % (t["qname"], t["qtype"], got))
            elif got in ("NO-ANSWER", "NOANSWER", "NONE"):
                n_un += 1
                v = un.get(k)
                if v and v["cause"] == t["cause"]:
                    ok_un += 1
        rate = ok_sf / n_sf if n_sf else 1.0
        status = "ok" if (rate >= 0.95 and not bad) else "FAIL"
        print("lab %-8s SERVFAIL %d/%d right (%.1f%%) (listed misses %d); DNSSEC detail %d/%d; unanswered %d/%d right; %s" % (
            res, ok_sf, n_sf, 100 * rate, sum(1 for k in used if k[0] == res), ok_dn, n_dn, ok_un, n_un, status))
        if n_via:
            print("lab %-8s via (informational): %d/%d SERVFAIL verdicts name the truth's via" % (res, ok_via, n_via))
        for b in bad:
            print("    " + b)
        if status == "ok":
            passed += 1
        else:
            failed += 1
        # DNSSEC audit: no healthy signed answer may be judged bogus (an
        # answer given with CD=1 from a broken zone is not healthy).
        arep = run(binary, pcap, None, ["--dnssec-audit"])
        aud = arep.get("dnssec_audit", {})
        by_key = {(t["client"], int(t["client_port"]), int(t["id"])): t for t in truth}
        abad = []
        for v in aud.get("bogus_examples", []):
            t = by_key.get((v["client"], v["client_port"], v["id"]))
            if not t or t.get("scenario") in ("baseline", "healthy") or t["cause"] == "-" and "cd" not in t.get("note", ""):
                abad.append("healthy answer judged bogus: %s %s (%s)" % (v["qname"], v["qtype"], v["dnssec"].get("detail")))
        print("lab %-8s DNSSEC audit: %d answers, %d signatures verified, %d bogus; %s" % (
            res, aud.get("answers_checked", 0), aud.get("signatures_verified", 0), aud.get("bogus", 0),
            "ok" if not abad else "FAIL"))
        for b in abad:
            print("    " + b)
        if abad:
            failed += 1
        else:
            passed += 1
        # Client side only.
        servers = upstream_servers(pcap)
        if servers:
            bpf = "not (" + " or ".join("host " + s for s in servers) + ")"
            crep = run(binary, pcap, bpf)
            csf = verdict_map(crep, "servfails")
            cbad = []
            if crep["capture"]["vantage"] != "client-side":
                cbad.append("vantage %s" % crep["capture"]["vantage"])
            for t in truth:
                if t["received"].upper() != "SERVFAIL":
                    continue
                k = key(t["client"], t["client_port"], t["id"], t["qname"], t["qtype"])
                v = csf.get(k)
                if not v:
                    cbad.append("no verdict for %s %s" % (t["qname"], t["qtype"]))
                    continue
                ede = [e["code"] for e in v["ede"] if e["code"] in EDE_CAUSE]
                if ede and v["cause"] not in (EDE_CAUSE[ede[0]], "no_upstream"):
                    cbad.append("EDE %d ignored for %s: %s" % (ede[0], t["qname"], v["cause"]))
            print("lab %-8s client-side only: %d SERVFAIL verdicts, vantage %s; %s" % (
                res, len(csf), crep["capture"]["vantage"], "ok" if not cbad else "FAIL"))
            for b in cbad:
                print("    " + b)
            if cbad:
                failed += 1
            else:
                passed += 1
    # A listed miss that names no SERVFAIL of the truth any more is stale.
    for k in known:
        if k not in used and k[0] in [c[:-5] for c in captures] and k not in seen:
            print("    STALE known miss %s %s:%d id %d: no such SERVFAIL in the truth" % k)
            failed += 1
    print("lab: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
