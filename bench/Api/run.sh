#!/usr/bin/env bash
# HTTP benchmark of the API with wrk, on loopback, against real dependencies:
#   redis-server, the official Firebase Auth emulator, the project's RTDB emulator (Release),
#   and ONE AuthApp.Api instance (Release) - no AppHost, dashboard, scheduler or second replica, so
#   that the two cores are shared only by wrk, the API and the dependencies it calls.
# Login rate limits are raised for the run (100,000 per second per address and per account, the largest
# PermitLimit the options accept); nothing else is changed.
#
# Usage (from anywhere): bench/Api/run.sh [duration, default 15s] [connections, default 32]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration="${1:-15s}"
connections="${2:-32}"
threads=2

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install -y redis-server)" >&2; exit 1; }
firebase="$repo/firebase/node_modules/.bin/firebase"
[ -x "$firebase" ] || { echo "firebase-tools is not installed: run 'npm ci' in firebase/" >&2; exit 1; }

work="$(mktemp -d /tmp/authapp-bench-api.XXXXXX)"
pids=()
cleanup() {
  # Stop only what this script started, by process id (the emulator by its own process group).
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${BENCH_KEEP_WORK:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url, what
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "$2 did not come up; logs in $work" >&2
  tail -n 30 "$work"/*.log >&2 || true
  exit 1
}
# setsid: each dependency leads its own process group, so cleanup stops its children too.
start() { # name, working directory, command...
  local name="$1" directory="$2"; shift 2
  (cd "$directory" && exec setsid "$@") >"$work/$name.log" 2>&1 &
  pids+=("$!")
}

echo "==> Building the API and the database emulator (Release)"
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build -c Release -v q -nologo "$repo/AuthApp.Api/AuthApp.Api.csproj" >/dev/null
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build -c Release -v q -nologo "$repo/AuthApp.DatabaseEmulator/AuthApp.DatabaseEmulator.csproj" >/dev/null

redis_port="$(free_port)"; auth_port="$(free_port)"; db_port="$(free_port)"; api_port="$(free_port)"
namespace="demo-authapp-default-rtdb"
api="http://127.0.0.1:$api_port"
db="http://127.0.0.1:$db_port"

echo "==> Starting redis-server :$redis_port, Auth emulator :$auth_port, RTDB emulator :$db_port"
start redis "$work" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no
cat >"$work/firebase.json" <<JSON
{"emulators":{"singleProjectMode":true,"ui":{"enabled":false},
 "auth":{"host":"127.0.0.1","port":$auth_port},
 "hub":{"host":"127.0.0.1","port":$(free_port)},
 "logging":{"host":"127.0.0.1","port":$(free_port)}}}
JSON
HOME="$work" NO_UPDATE_NOTIFIER=1 start auth "$repo/firebase" "$firebase" emulators:start --only auth --project demo-authapp --config "$work/firebase.json"
ASPNETCORE_URLS="$db" Rules__Path="$repo/firebase/database.rules.json" Database__DefaultNamespace="$namespace" \
  Logging__LogLevel__Default=Warning \
  start database "$repo/AuthApp.DatabaseEmulator/bin/Release/net10.0" dotnet AuthApp.DatabaseEmulator.dll
wait_http "http://127.0.0.1:$auth_port/" "the Auth emulator"
wait_http "$db/__health" "the RTDB emulator"

echo "==> Starting the API :$api_port (Release, Development settings, console and file logs at Warning, login limits raised)"
# From its output folder: the content root (appsettings*.json) is the working directory.
ASPNETCORE_URLS="$api" DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
ConnectionStrings__cache="127.0.0.1:$redis_port" \
Firebase__ProjectId=demo-authapp \
Firebase__AuthEmulatorHost="127.0.0.1:$auth_port" \
Firebase__DatabaseEmulatorHost="127.0.0.1:$db_port" \
Logging__LogLevel__Default=Warning Logging__File__Path="$work/logs/app.log" Logging__File__MinimumLevel=Warning \
RateLimiting__Login__PermitLimit=100000 RateLimiting__Login__Window=00:00:01 \
RateLimiting__LoginPerAccount__PermitLimit=100000 RateLimiting__LoginPerAccount__Window=00:00:01 \
  start api "$repo/AuthApp.Api/bin/Release/net10.0" dotnet AuthApp.Api.dll
wait_http "$api/health" "the API"

echo "==> Creating a license key, a user, a venue and a device"
key="AK-BENCH-$(date +%s)"
email="bench-$(date +%s)@example.com"
password="correct-horse-7"
curl -fsS -X PUT "$db/licenseKeys/$key.json?ns=$namespace" -d '{"createdAt":1,"revoked":false}' >/dev/null
post() { curl -fsS -X POST "$api$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
post /auth/signup "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Bench\",\"accessToken\":\"$key\"}" >/dev/null
token="$(post /auth/login "{\"email\":\"$email\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["idToken"])')"
post /auth/add_venue '{"venue":"Living"}' "$token" >/dev/null
post /auth/add_device '{"venue":"Living","device":"Lamp"}' "$token" >/dev/null
curl -fsS "$api/auth/profile" -H "Authorization: Bearer $token" >/dev/null

export TOKEN="$token" VENUE=Living DEVICE=Lamp EMAIL="$email" PASSWORD="$password"
run_case() { # label, wrk arguments...
  local label="$1"; shift
  # Every case must succeed before it is measured: one request with the same script or headers.
  local status
  status="$(wrk -t1 -c1 -d1s "$@" 2>&1 | grep -c 'Non-2xx' || true)"
  if [ "$status" != "0" ]; then echo "| $label | check failed: non-2xx answers |"; return; fi
  # A short warm-up (JIT, connection pools, caches), then the measured run.
  wrk -t"$threads" -c"$connections" -d3s "$@" >/dev/null 2>&1 || true
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$work/wrk.txt" 2>&1
  cat "$work/wrk.txt" >>"$work/all.txt"
  python3 - "$label" "$work/wrk.txt" <<'PY'
import re, sys
label, text = sys.argv[1], open(sys.argv[2]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"| {label} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {total:,} | {bad.group(1) if bad else 0}{' / socket ' + errors.group(1) if errors else ''} |")
PY
}

echo
echo "wrk -t$threads -c$connections -d$duration --latency (after a 3 s warm-up), API at $api"
echo
echo "| case | requests/s | p50 | p99 | requests | non-2xx |"
echo "|---|---|---|---|---|---|"
run_case 'GET /alive (liveness, no dependency)' "$api/alive"
run_case 'GET /health (readiness: Redis check)' "$api/health"
run_case 'GET /auth/profile (cached, one user)' -H "Authorization: Bearer $token" "$api/auth/profile"
run_case 'POST /auth/device_state' -s "$here/device_state.lua" "$api"
run_case 'POST /auth/login (limits raised)' -s "$here/login.lua" "$api"
echo
if [ -n "${BENCH_KEEP_OUTPUT:-}" ]; then cp "$work/all.txt" "$BENCH_KEEP_OUTPUT"; fi
