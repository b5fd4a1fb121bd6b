#!/usr/bin/env python3
"""One changed byte moves the DNSSEC verdict (offline verification is real).

On the lab's Unbound capture:
  1. the DNSKEY of badsig.lab. that signs its data (its key tag taken from
     the verdict, since the lab makes new keys on every run): one
     byte of its public key changed in every copy in the capture -> the
     verdict for www.badsig.lab. A no longer rests on that key: the key tag
     changes, so the DS no longer matches (ds_mismatch) or the key set's own
     signature fails; the evidence must differ from the original.
  2. the expired RRSIG the verdict for www.expired.lab. A names (over the
     A RRset, or over the zone's DNSKEY set when the keys themselves are
     expired, which the chain reports first): one byte changed, the high
     byte of its expiration field (+2^24 s, about 194 days ahead) -> the
     time checks pass and the signature no longer verifies over the changed
     field: signature_expired becomes bad_signature.
The bytes are found with tshark (the independent dissector) and changed in
a copy of the capture.  Closing line: "dnssec-flip: N passed, N failed".
"""
import json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PCAP = os.path.join(ROOT, "pcaps", "lab", "unbound.pcap")


def tshark(pcap, yfilter, fields):
    out = subprocess.run(["tshark", "-r", pcap, "-Y", yfilter, "-T", "fields"] +
                         sum([["-e", f] for f in fields], []), capture_output=True, text=True).stdout
    return [l.split("\t") for l in out.splitlines() if l.strip()]


def verdict(binary, pcap, qname, qtype):
    rep = json.loads(subprocess.run([binary, "-r", pcap, "--format", "json"], capture_output=True,
                                    text=True).stdout)
    for v in rep["servfails"]:
        if v["qname"] == qname and v["qtype"] == qtype:
            d = v.get("dnssec") or {}
            return (v["cause"], v["detail"], d.get("owner"), d.get("type"), d.get("key_tag"))
    return None


def replace_all(data, old, new):
    n = data.count(old)
    return data.replace(old, new), n


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "dnsblame")
    if not os.path.exists(PCAP):
        print("dnssec-flip: no lab capture (run make pcaps)\ndnssec-flip: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    tmp = tempfile.mkdtemp()
    try:
        raw = open(PCAP, "rb").read()

        # 1. One byte of the signing DNSKEY of badsig.lab.
        before = verdict(binary, PCAP, "www.badsig.lab.", "A")
        keys = tshark(PCAP, 'dns.resp.name == "badsig.lab" && dns.resp.type == 48',
                      ["dns.dnskey.key_id", "dns.dnskey.public_key"])
        key = None
        for tags, pubs in keys:
            for tag, pub in zip(tags.split(","), pubs.split(",")):
                if before and tag == str(before[4]):
                    key = bytes.fromhex(pub.replace(":", ""))
        ok = key is not None
        if ok:
            mid = len(key) // 2
            flipped = key[:mid] + bytes([key[mid] ^ 0x01]) + key[mid + 1:]
            data, n = replace_all(raw, key, flipped)
            path = os.path.join(tmp, "dnskey-flip.pcap")
            open(path, "wb").write(data)
            after = verdict(binary, path, "www.badsig.lab.", "A")
            ok = n > 0 and before and after and before[1] == "bad_signature" and after != before \
                and after[0] == "dnssec_validation"
            print("dnssec-flip DNSKEY byte (%d copies): %s -> %s: %s" % (n, before, after, "ok" if ok else "FAIL"))
        else:
            print("dnssec-flip DNSKEY byte: the signing key of badsig.lab. (%s) not found: FAIL" % (before,))
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)

        # 2. The expiration field of the expired RRSIG the verdict names.
        before = verdict(binary, PCAP, "www.expired.lab.", "A")
        types = {"A": 1, "DNSKEY": 48, "AAAA": 28, "MX": 15, "DS": 43}
        owner, rtype = (before[2], before[3]) if before and before[2] else ("www.expired.lab.", "A")
        sigs = tshark(PCAP, 'dns.flags.response == 1 && dns.qry.name == "%s" && dns.qry.type == %d'
                      % (owner.rstrip("."), types.get(rtype, 1)), ["dns.rrsig.signature"])
        ok = bool(sigs)
        if ok:
            data = bytearray(raw)
            signer = b"\x07expired\x03lab\x00"
            n = 0
            for s_hex in sorted({x for row in sigs for x in row[0].split(",") if x}):
                sig = bytes.fromhex(s_hex.replace(":", ""))
                start = 0
                # Every copy of this RRSIG (retransmissions) gets the change.
                while True:
                    p = raw.find(sig, start)
                    if p < 0:
                        break
                    exp_at = p - len(signer) - 2 - 4 - 4
                    if raw[exp_at + 10:exp_at + 10 + len(signer)] == signer:
                        data[p - 23] = (data[p - 23] + 1) & 0xff  # one byte
                        n += 1
                    start = p + 1
            ok = n > 0
            if ok:
                path = os.path.join(tmp, "rrsig-flip.pcap")
                open(path, "wb").write(bytes(data))
                after = verdict(binary, path, "www.expired.lab.", "A")
                ok = before and after and before[1] == "signature_expired" and after[1] == "bad_signature"
                print("dnssec-flip RRSIG expiration byte (%d copies): %s -> %s: %s" % (n, before, after, "ok" if ok else "FAIL"))
        if not ok and not sigs:
            print("dnssec-flip RRSIG: the answer of %s %s not found: FAIL" % (owner, rtype))
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    finally:
        shutil.rmtree(tmp)
    print("dnssec-flip: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
