# Sourced by the tests that need a network namespace of their own (sh):
#   . tests/netns.sh; netns_setup NAME
# checks for root, makes the namespace $ns (loopback up) and the directory
# $tmp (readable by all: a dropped-privilege dnsblame writes there), and
# deletes both on any exit, killing what runs inside; counts with ok and
# bad into $pass and $fail. Packets stay inside $ns.
netns_setup() {
	netns_name=$1
	if [ "$(id -u)" != 0 ]; then
		echo "$netns_name: needs root for a network namespace"
		echo "$netns_name: 0 passed, 1 failed"
		exit 1
	fi
	ns=dnsblame-$netns_name-$$
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	trap netns_cleanup EXIT INT TERM
	ip netns add "$ns" || { echo "$netns_name: cannot create a network namespace"; exit 1; }
	ip -n "$ns" link set lo up
	pass=0 fail=0
}

netns_cleanup() {
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
