#!/bin/sh
# Live capture under load, the acceptance test (make check): the resolver lab
# (pcaps/lab/make.sh, LAB_MODE=live: network namespaces, NSD authorities with
# every fault, Unbound) while tests/lab/live_check.py runs BINARY -i any
# beside tcpdump under dnsperf's 2,000 q/s for 60 s and checks it. Needs root;
# every packet stays inside the namespaces the lab makes, which it deletes
# whatever happens. About 2 minutes. Closing line:
# "live-load: N passed, N failed".
#   LAB_LIVE_SECONDS, LAB_LIVE_RATE: the load; LAB_KEEP=1 keeps the run's files.
set -u
bin=${1:?usage: live_load.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "live-load: needs root for network namespaces"
	echo "live-load: 0 passed, 1 failed"
	exit 1
fi
start=$(date +%s)
result=$(mktemp)
trap 'rm -f "$result"' EXIT
trap 'exit 130' INT TERM
LAB_MODE=live LAB_LIVE_BIN=$bin LAB_LIVE_RESULT=$result bash "$here/../../pcaps/lab/make.sh" unbound
rc=$?
echo "live-load: $(($(date +%s) - start)) s with the lab"
if [ -s "$result" ]; then
	cat "$result"
else
	# the lab broke before the checks could run (make.sh said why)
	echo "live-load: 0 passed, 1 failed"
	[ $rc != 0 ] || rc=1
fi
exit $rc
