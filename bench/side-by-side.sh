#!/usr/bin/env bash
# Side by side on this machine, one after the other: a three-member etcd 3.4 cluster (Debian's
# etcd-server) and a three-member Keelson cluster, both on loopback, driven by the same load
# generator (bench/run etcd-load, raw gRPC with etcd's protocol classes). Prints both and the ratios.
#   bench/side-by-side.sh [--seconds 15] [--warmup-seconds 5]
# Before the measured pass, each cluster gets a pass of every workload whose figures are discarded
# (KEELSON_BENCH_WARMUP seconds each, default 20), so that the JVMs' JIT has compiled the hot paths and
# both are compared in steady state, as a long-running server is. The watch workload is in it too: at
# its 100 puts/s a JVM was still compiling its watch path after a minute, its compiler threads using
# more CPU than the puts themselves. The generator runs that pass in the same process as the measured
# one: a fresh generator spent over half of its CPU in the JIT during the measured pass, on the same two
# cores as the servers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v etcd >/dev/null || { echo "side-by-side: needs etcd 3.4 on the PATH (apt-get install etcd-server)" >&2; exit 2; }
work="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
endpoints="127.0.0.1:12379,127.0.0.1:22379,127.0.0.1:32379"
cluster="m1=http://127.0.0.1:12380,m2=http://127.0.0.1:22380,m3=http://127.0.0.1:32380"

start_members() { # $1 = label, then the command that runs one member
  local label="$1"; shift
  pids=()
  for i in 1 2 3; do
    "$@" --name "m$i" --data-dir "$work/$label-m$i" \
      --listen-client-urls "http://127.0.0.1:${i}2379" --advertise-client-urls "http://127.0.0.1:${i}2379" \
      --listen-peer-urls "http://127.0.0.1:${i}2380" --initial-advertise-peer-urls "http://127.0.0.1:${i}2380" \
      --initial-cluster "$cluster" --initial-cluster-state new > "$work/$label-m$i.log" 2>&1 &
    pids+=($!)
  done
  for _ in $(seq 1 120); do
    if ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "side-by-side: $label cluster did not become healthy" >&2; tail -20 "$work/$label-m1.log" >&2; exit 1
}
stop_members() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

"$root/bench/run" etcd-load --help >/dev/null   # build once
load() {
  "$root/bench/run" etcd-load --endpoints "$endpoints" --warmup-pass-seconds "${KEELSON_BENCH_WARMUP:-20}" "$@"
}
"$root/bin/keelson" --version >/dev/null

echo "# etcd $(etcd --version | head -1 | awk '{print $3}') (3 members)" >&2
start_members etcd etcd
load "$@" | tee "$work/etcd.txt"
stop_members

echo "# keelson (3 members)" >&2
start_members keelson "$root/bin/keelson"
load "$@" | tee "$work/keelson.txt"
stop_members

echo
printf '%-14s %8s %12s %12s %8s %10s %10s\n' workload clients etcd_ops/s keelson_ops/s ratio etcd_p99 keelson_p99
join <(awk 'NR>1{print $1"@"$2, $3, $5}' "$work/etcd.txt" | sort) \
     <(awk 'NR>1{print $1"@"$2, $3, $5}' "$work/keelson.txt" | sort) |
  awk '{split($1,w,"@"); printf "%-14s %8s %12.0f %12.0f %8.2f %10.2f %10.2f\n", w[1], w[2], $2, $4, ($2>0?$4/$2:0), $3, $5}'
