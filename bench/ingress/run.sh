#!/usr/bin/env bash
# API read throughput through the local fleet's HAProxy, side by side with HAProxy answering by itself
# (`http-request return`, the ingress's own ceiling), in interleaved rounds, reported as ratios.
# Needs a running fleet (scripts/fleet up). Traffic goes to 127.0.0.1 only; every run is bounded by wrk -d.
# Usage: bench/ingress/run.sh [--rounds N] [--duration S] [--connections C] [--ingress URL]
set -euo pipefail
rounds=5 duration=10 connections=64 ingress=http://127.0.0.1:8080
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --ingress) ingress=$2; shift 2 ;;
    *) echo "bench/ingress/run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

work=$(mktemp -d)
baseline_pid=
cleanup() { [ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The baseline: the same HAProxy binary answering a constant by itself on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/baseline.cfg" <<CFG
global
  maxconn 4000
defaults
  mode http
  timeout connect 3s
  timeout client 30s
  timeout server 30s
frontend fe_baseline
  bind 127.0.0.1:$port
  http-request return status 200 content-type application/json string '{"status":"ok"}'
CFG
haproxy -f "$work/baseline.cfg" -db >/dev/null 2>&1 &
baseline_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

# The API read: one post written through the ingress, then GET by id (a MySQL point read per request).
email="bench-$RANDOM$RANDOM@example.test"; password="bench password 123"
curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\",\"displayName\":\"bench\"}" "$ingress/api/v1/accounts" >/dev/null
token=$(curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$ingress/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
topic=$(curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"title":"bench"}' "$ingress/api/v1/forum/topics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
post=$(curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"body":"bench body"}' "$ingress/api/v1/forum/topics/$topic/posts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

run() { # url → "req/s p99_ms non2xx_and_errors"
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s /dev/stdin "$1" <<'LUA' 2>&1
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %.0f %.2f %d\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, errors))
end
LUA
}

echo "| round | HAProxy alone req/s | p99 ms | API read via HAProxy req/s | p99 ms | errors | ratio |"
echo "|---|---|---|---|---|---|---|"
ratios=()
for round in $(seq "$rounds"); do
  read -r _ base_rps base_p99 base_err < <(run "http://127.0.0.1:$port/" | grep '^RESULT')
  read -r _ api_rps api_p99 api_err < <(run "$ingress/api/v1/forum/posts/$post" | grep '^RESULT')
  ratio=$(python3 -c "print(f'{$api_rps / $base_rps:.3f}')")
  ratios+=("$ratio")
  echo "| $round | $base_rps | $base_p99 | $api_rps | $api_p99 | $((base_err + api_err)) | $ratio |"
done
echo
echo "median ratio (API read via HAProxy ÷ HAProxy alone): $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
echo "commit $(git rev-parse --short HEAD), $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
