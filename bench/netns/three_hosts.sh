#!/usr/bin/env bash
# Three appliance nodes as three hosts, on one machine: each node in its own
# network namespace (its own interfaces, addresses, ports and firewall),
# joined by a bridge in a fourth namespace. The steps are the ones an operator
# follows on three real machines (docs/BENCHMARKS.md, "Three hosts"):
#   1. hosts and addresses   2. keys   3. node.toml per host
#   4. firewall ports        5. start the nodes (any order)   6. results
#
# usage: sudo bench/netns/three_hosts.sh [SQT_BINARY] [JOB...]
#   default binary build/sqt; default job: bench net --quick
# Exit 77 (skipped) without root or without `ip netns`; 0 when every node
# finished its job and party 0 wrote results; non-zero otherwise.
set -euo pipefail

sqt=${1:-build/sqt}
shift || true
job=("$@")
if [ ${#job[@]} -eq 0 ]; then job=(bench net --quick); fi

if [ "$(id -u)" != 0 ]; then echo "three_hosts: needs root (network namespaces)"; exit 77; fi
if ! command -v ip >/dev/null; then echo "three_hosts: iproute2 (ip) not installed"; exit 77; fi
if [ ! -x "$sqt" ]; then echo "three_hosts: $sqt is not an executable"; exit 2; fi
sqt=$(readlink -f "$sqt")

tag="sqt-$$"  # the owner's pid: a later run removes what a killed one left
work=$(mktemp -d /tmp/sqt-three-hosts-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in "$tag-h0" "$tag-h1" "$tag-h2" "$tag-sw"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! ip netns add "$tag-sw" 2>/dev/null; then echo "three_hosts: cannot create network namespaces here"; exit 77; fi

# 1. Three hosts 10.77.0.1-3/24 on one switch. On real machines: their NICs.
echo "== 1. hosts"
ip -n "$tag-sw" link add br0 type bridge
ip -n "$tag-sw" link set br0 up
for i in 0 1 2; do
  host="$tag-h$i"
  ip netns add "$host"
  ip -n "$tag-sw" link add "h$i" type veth peer name eth0 netns "$host"
  ip -n "$tag-sw" link set "h$i" master br0 up
  ip -n "$host" addr add "10.77.0.$((i + 1))/24" dev eth0
  ip -n "$host" link set eth0 up
  ip -n "$host" link set lo up
  echo "host $i: namespace $host, address 10.77.0.$((i + 1))"
done

# 2. Keys: made once on an admin machine; host i receives ca.pem,
#    party-i.pem and party-i.key only (never another party's key).
echo "== 2. keys"
"$sqt" keys --parties 3 --out "$work/admin-keys" --days 1
for i in 0 1 2; do
  mkdir -p "$work/host$i"
  cp "$work/admin-keys/ca.pem" "$work/admin-keys/party-$i.pem" "$work/admin-keys/party-$i.key" "$work/host$i/"
  chmod 600 "$work/host$i/party-$i.key"
done

# 3. node.toml: the same [[parties]] list on every host, its own id and files.
echo "== 3. configs"
for i in 0 1 2; do
  cat >"$work/host$i/node.toml" <<TOML
party = $i
protocol = "rep3"
backend = "cpu"
timeout_ms = 60000
connect_timeout_ms = 60000
ca_cert = "$work/host$i/ca.pem"
cert = "$work/host$i/party-$i.pem"
key = "$work/host$i/party-$i.key"

[[parties]]
host = "10.77.0.1"
port = 7000

[[parties]]
host = "10.77.0.2"
port = 7001

[[parties]]
host = "10.77.0.3"
port = 7002
TOML
done
cat "$work/host0/node.toml"

# 4. Firewall: host i accepts TCP on its own port (7000+i) from the other two
#    hosts only; nothing else is needed (no UDP, no outbound restrictions
#    beyond the two peers' ports). Shown, and applied when nft is available.
echo "== 4. firewall"
for i in 0 1 2; do
  peers=$(for j in 0 1 2; do if [ "$j" != "$i" ]; then printf '10.77.0.%d, ' $((j + 1)); fi; done)
  echo "host $i: allow tcp dport $((7000 + i)) from { ${peers%, } }"
  if command -v nft >/dev/null && ip netns exec "$tag-h$i" nft list tables >/dev/null 2>&1; then
    ip netns exec "$tag-h$i" nft -f - <<NFT
table inet sqt {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    tcp dport $((7000 + i)) ip saddr { ${peers%, } } accept
  }
}
NFT
  fi
done

# 5. Start: any order; each node waits up to connect_timeout_ms for its
#    peers. Started here in reverse order, a second apart, to show it.
echo "== 5. start: sqt node --config node.toml ${job[*]} --json results.jsonl"
for i in 2 1 0; do
  ip netns exec "$tag-h$i" "$sqt" node --config "$work/host$i/node.toml" "${job[@]}" \
    --json "$work/host$i/results.jsonl" >"$work/host$i/log" 2>&1 &
  pids[$i]=$!
  sleep 1
done
status=0
for i in 0 1 2; do
  if wait "${pids[$i]}"; then echo "host $i: finished"; else
    echo "host $i: FAILED (exit $?)"; status=1
  fi
  sed "s/^/[host $i] /" "$work/host$i/log" | tail -n 5
done

# 6. Results: party 0 writes them.
echo "== 6. results"
lines=$(wc -l <"$work/host0/results.jsonl" 2>/dev/null || echo 0)
echo "party 0 wrote $lines result lines"
if [ -n "${SQT_THREE_HOSTS_OUT:-}" ] && [ -s "$work/host0/results.jsonl" ]; then
  cp "$work/host0/results.jsonl" "$SQT_THREE_HOSTS_OUT"
fi
if [ "$status" != 0 ] || [ "$lines" -eq 0 ]; then exit 1; fi
echo "three hosts: OK"
