#!/usr/bin/env bash
# HTTP benchmark of the API with wrk, on loopback, against real dependencies:
#   redis-server, the official Firebase Auth emulator, the project's RTDB emulator (Release),
#   a local stand-in for Google's ID-token key discovery (python3 -m http.server serving the OpenID Connect
#   metadata and a JWKS made for the run), and ONE AuthApp.Api instance (Release) - no AppHost, dashboard,
#   scheduler or second replica, so that the two cores are shared only by wrk, the API and what it calls.
# Tokens are RS256, signed here with openssl and verified by the API against the local key endpoint:
# production's path, not the emulator's unsigned one (Firebase:AcceptEmulatorTokens stays off).
# The API runs the configuration that ships (its appsettings.json and Development's, the services' log levels, the
# rolling file log) except for what the bench needs to run: the Development environment (emulators are refused
# elsewhere) with the dependencies' addresses, a local ID-token key endpoint, the file log's location (in the run's
# folder, so that its bytes per request can be counted), and login rate limits raised for the login case (100,000 per
# second, the largest PermitLimit the options accept; no other case goes through them).
# After the cases, a mixed soak (profile, schedules, device_state, alive) for SOAK seconds (default 180), then
# the API's resident set size (VmRSS), next to the one measured idle after start-up.
# Each case also reports the CPU time the API and the RTDB emulator used per request (from /proc/PID/stat): on
# loopback, with every process on the same two cores, that says where a request's cost goes; and the bytes the
# API's rolling file log grew by per request.
#
# The memory case (only when CASES matches 'memory', e.g. CASES=memory SOAK=0): USERS (default 100,000) users written
# straight into the Auth emulator and the database, an RS256 ID token signed for each, then the API's memory (VmRSS,
# the runtime's GC counters, the live heap after a full GC) at its baseline, after USERS x GET /alive and after each
# user's GET /auth/profile (bench/ApiMemory drives it; dotnet-counters and dotnet-gcdump are installed into
# BENCH_TOOLS, default ~/.cache/authapp-bench-tools, when missing). MEMORY_CONCURRENCY (default 16): requests in flight;
# every cold user costs an Auth emulator lookup, and the single node process answers 64 at a time slower than the
# API's Caching:UpstreamTimeout (a 503, retried). HOSTILE_MB (default 0): then one of those users also writes that many
# MB of sensor readings straight into the database and reads them through the API (422) while the others read their
# profiles; the API's memory before and after.
#
# The streams case (only when CASES matches 'streams', e.g. CASES=streams SOAK=0): GET /auth/events (issue 20), driven
# by bench/ApiMemory in its streams mode on users made the memory case's way. USERS (default 10,000) users, each with a
# venue and a device, each reads GET /auth/profile once (the baseline: tokens verified, access cached), then one SSE
# connection per user (HTTP/1.1, its own TCP connection), each waited on until its `sync`; the API's VmRSS and live heap
# (full GC) at the baseline, with every stream open and after STREAMS_IDLE seconds (default 60) idle, the heap's growth
# by type, and the RTDB emulator's VmRSS (the other end of the API's database streams). Then all but FANOUT_USERS
# (default 1,000) streams close and, for FANOUT_SECONDS (60) at FANOUT_RATE (50) a second, POST /auth/device_state for a
# random connected user and GET /alive side by side: the time to each answer, and from sending the write to its
# `device` event on the user's stream; then DIRECT_WRITES (100, 10 a second) PUTs straight to the database -> their
# `device` event (source direct, after Events:AttributionGrace). Every Events:* setting stays at its default.
# The API holds two sockets per stream (the client's and its database stream): the open-files limit is raised to the
# hard limit, and USERS is lowered (loudly) to what that limit allows when it is below 2 x USERS + 512.
#
# Usage (from anywhere): bench/Api/run.sh [duration, default 15s] [connections, default 64]
# Environment: SOAK (seconds, 0 for none), CASES (regular expression: which cases run), USERS, BENCH_NO_BUILD, BENCH_KEEP_WORK,
# MEMORY_CONCURRENCY, HOSTILE_MB (memory case), STREAMS_IDLE, FANOUT_USERS, FANOUT_RATE, FANOUT_SECONDS, DIRECT_WRITES (streams case),
# DATABASE_DELAY_MS: put bench/LatencyProxy between the API and the RTDB emulator, delaying each direction by that many
# milliseconds, as a database a network away would (round trips, not loopback CPU, then decide a write's speed).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration="${1:-15s}"
connections="${2:-64}"
soak="${SOAK:-180}"
threads=2

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install -y redis-server)" >&2; exit 1; }
firebase="${FIREBASE_CLI:-$repo/firebase/node_modules/.bin/firebase}"
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
memory_case=""; streams_case=""
if [ -n "${CASES:-}" ] && grep -Eq -- "$CASES" <<<"memory"; then memory_case=1; fi
if [ -n "${CASES:-}" ] && grep -Eq -- "$CASES" <<<"streams"; then streams_case=1; fi
[ -z "$memory_case$streams_case" ] || [ -n "${BENCH_NO_BUILD:-}" ] || dotnet build -c Release -v q -nologo "$repo/bench/ApiMemory/AuthApp.Bench.ApiMemory.csproj" >/dev/null
stream_users="${USERS:-10000}"
if [ -n "$streams_case" ]; then
  # Every process started from here on inherits it: the API holds a client socket and a database stream per user.
  ulimit -n "$(ulimit -Hn)"
  most=$(( ($(ulimit -n) - 512) / 2 / 500 * 500 ))
  if [ "$stream_users" -gt "$most" ]; then
    echo "!!! The open-files limit here is $(ulimit -Hn) (hard): an API holding 2 sockets per stream fits $most streams, not $stream_users." >&2
    echo "!!! Measuring $most streams (raise the hard limit, e.g. LimitNOFILE or --ulimit nofile, for more)." >&2
    stream_users="$most"
  fi
fi
database_delay="${DATABASE_DELAY_MS:-0}"
[ "$database_delay" = 0 ] || [ -n "${BENCH_NO_BUILD:-}" ] || dotnet build -c Release -v q -nologo "$repo/bench/LatencyProxy/AuthApp.Bench.LatencyProxy.csproj" >/dev/null

redis_port="$(free_port)"; auth_port="$(free_port)"; db_port="$(free_port)"; api_port="$(free_port)"; keys_port="$(free_port)"
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
database_pid="${pids[-1]}"
wait_http "http://127.0.0.1:$auth_port/" "the Auth emulator"
wait_http "$db/__health" "the RTDB emulator"
api_database="127.0.0.1:$db_port" # where the API reaches the database
if [ "$database_delay" != 0 ]; then
  proxy_port="$(free_port)"
  echo "==> The API reaches the RTDB emulator through a ${database_delay} ms-each-way relay on :$proxy_port"
  start proxy "$work" dotnet "$repo/bench/LatencyProxy/bin/Release/net10.0/AuthApp.Bench.LatencyProxy.dll" "$proxy_port" "127.0.0.1:$db_port" "$database_delay"
  wait_http "http://127.0.0.1:$proxy_port/__health" "the relay to the RTDB emulator"
  api_database="127.0.0.1:$proxy_port"
fi

echo "==> Making an RS256 key and serving its discovery document and JWKS on :$keys_port"
mkdir -p "$work/keys/.well-known"
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
python3 - "$work" "$keys_port" <<'PY'
import base64, json, subprocess, sys
work, port = sys.argv[1], sys.argv[2]
modulus = subprocess.check_output(["openssl", "rsa", "-in", f"{work}/key.pem", "-noout", "-modulus"]).decode().strip().split("=", 1)[1]
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "bench-key", "n": b64(bytes.fromhex(modulus)), "e": "AQAB"}
json.dump({"keys": [jwk]}, open(f"{work}/keys/jwks", "w"))
json.dump({"issuer": "https://securetoken.google.com/demo-authapp", "jwks_uri": f"http://127.0.0.1:{port}/jwks"},
          open(f"{work}/keys/.well-known/openid-configuration", "w"))
PY
start keys "$work/keys" python3 -m http.server "$keys_port" --bind 127.0.0.1
wait_http "http://127.0.0.1:$keys_port/jwks" "the key endpoint"
# sign UID: an ID token for UID as Google would issue it (1 hour), signed with the run's key.
sign() {
  python3 - "$work/key.pem" "$1" <<'PY'
import base64, json, subprocess, sys, time
key, uid = sys.argv[1], sys.argv[2]
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
now = int(time.time())
claims = {"iss": "https://securetoken.google.com/demo-authapp", "aud": "demo-authapp", "auth_time": now, "user_id": uid,
          "sub": uid, "iat": now, "exp": now + 3600, "email": "bench@example.com", "email_verified": False,
          "firebase": {"identities": {}, "sign_in_provider": "password"}}
signed = b64(json.dumps({"alg": "RS256", "kid": "bench-key", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signed.encode(), capture_output=True, check=True).stdout
print(signed + "." + b64(signature))
PY
}

echo "==> Starting the API :$api_port (Release, shipped settings in Development, RS256 tokens from :$keys_port, login limits raised)"
# From its output folder: the content root (appsettings*.json) is the working directory.
ASPNETCORE_URLS="$api" DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
ConnectionStrings__cache="127.0.0.1:$redis_port" \
Firebase__ProjectId=demo-authapp \
Firebase__AuthEmulatorHost="127.0.0.1:$auth_port" \
Firebase__DatabaseEmulatorHost="$api_database" \
Firebase__IdTokenMetadataAddress="http://127.0.0.1:$keys_port/.well-known/openid-configuration" \
Logging__File__Path="$work/logs/app.log" \
RateLimiting__Login__PermitLimit=100000 RateLimiting__Login__Window=00:00:01 \
RateLimiting__LoginFailuresPerAccountAndAddress__PermitLimit=100000 RateLimiting__LoginFailuresPerAccount__PermitLimit=100000 \
  start api "$repo/AuthApp.Api/bin/Release/net10.0" dotnet AuthApp.Api.dll
api_pid="${pids[-1]}"
wait_http "$api/health" "the API"
rss() { awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$api_pid/status"; }
# cpu_ms PID: the CPU time (user + system) the process has used so far, in milliseconds.
ticks="$(getconf CLK_TCK)"
cpu_ms() { awk -v ticks="$ticks" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / ticks }' "/proc/$1/stat"; }
# log_bytes: the size of the API's file log, rolled files included.
log_bytes() { find "$work/logs" -type f -printf '%s\n' 2>/dev/null | awk '{ sum += $1 } END { printf "%d", sum }'; }

echo "==> Creating a license key, a user, a venue and a device"
key="AK-BENCH-$(date +%s)"
email="bench-$(date +%s)@example.com"
password="correct-horse-7"
curl -fsS -H "Authorization: Bearer owner" -X PUT "$db/licenseKeys/$key.json?ns=$namespace" -d '{"createdAt":1,"revoked":false}' >/dev/null
post() { curl -fsS -X POST "$api$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
uid="$(post /auth/signup "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Bench\",\"accessToken\":\"$key\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["uid"])')"
token="$(sign "$uid")"
post /auth/add_venue '{"venue":"Living"}' "$token" >/dev/null
post /auth/add_device '{"venue":"Living","device":"Lamp"}' "$token" >/dev/null
curl -fsS "$api/auth/profile" -H "Authorization: Bearer $token" >/dev/null
idle_rss="$(rss)"

export TOKEN="$token" VENUE=Living DEVICE=Lamp EMAIL="$email" PASSWORD="$password"
: >"$work/all.txt"
run_case() { # label, wrk arguments...
  local label="$1"; shift
  # CASES (an extended regular expression on the label) runs only some of the cases, e.g. CASES=device_state.
  if [ -n "${CASES:-}" ] && ! grep -Eq -- "$CASES" <<<"$label"; then return; fi
  # Every case must succeed before it is measured: one request with the same script or headers.
  local status
  status="$(wrk -t1 -c1 -d1s "$@" 2>&1 | grep -c 'Non-2xx' || true)"
  if [ "$status" != "0" ]; then echo "| $label | check failed: non-2xx answers |"; return; fi
  # A short warm-up (JIT, connection pools, caches), then the measured run.
  wrk -t"$threads" -c"$connections" -d3s "$@" >/dev/null 2>&1 || true
  local api_before db_before log_before
  api_before="$(cpu_ms "$api_pid")"; db_before="$(cpu_ms "$database_pid")"; log_before="$(log_bytes)"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$work/wrk.txt" 2>&1
  { echo "Case: $label"; cat "$work/wrk.txt"; } >>"$work/all.txt"
  python3 - "$label" "$work/wrk.txt" "$(( $(cpu_ms "$api_pid") - api_before ))" "$(( $(cpu_ms "$database_pid") - db_before ))" "$(( $(log_bytes) - log_before ))" <<'PY'
import re, sys
label, text, api_cpu, db_cpu, log_bytes = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"| {label} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {1000 * api_cpu / total:.0f} µs | {1000 * db_cpu / total:.0f} µs | {log_bytes / total:.2f} B | {total:,} | {bad.group(1) if bad else 0}{' / socket ' + errors.group(1) if errors else ''} |")
PY
}

echo
echo "wrk -t$threads -c$connections -d$duration --latency (after a 3 s warm-up), API at $api"
echo
echo "| case | requests/s | p50 | p99 | API CPU / request | DB emulator CPU / request | file log / request | requests | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|"
run_case 'GET /alive (liveness, no dependency)' "$api/alive"
run_case 'GET /health (readiness: Redis check)' "$api/health"
run_case 'GET /auth/profile (cached, one user, RS256 token)' -H "Authorization: Bearer $token" "$api/auth/profile"
run_case 'POST /auth/device_state' -s "$here/device_state.lua" "$api"
run_case 'POST /auth/login (limits raised)' -s "$here/login.lua" "$api"
# bench_tools: the folder holding dotnet-counters and dotnet-gcdump (BENCH_TOOLS), installed there when missing.
bench_tools() {
  local tools="${BENCH_TOOLS:-$HOME/.cache/authapp-bench-tools}"
  for tool in dotnet-counters dotnet-gcdump; do
    [ -x "$tools/$tool" ] || dotnet tool install "$tool" --tool-path "$tools" >/dev/null
  done
  echo "$tools"
}
if [ -n "$memory_case" ]; then
  tools="$(bench_tools)"
  echo
  echo "==> Memory case: ${USERS:-100000} distinct users' tokens, ${MEMORY_CONCURRENCY:-16} requests at a time"
  memory_started=$(date +%s)
  dotnet "$repo/bench/ApiMemory/bin/Release/net10.0/AuthApp.Bench.ApiMemory.dll" \
    --api "$api/" --api-pid "$api_pid" --auth "127.0.0.1:$auth_port" --database "$db/" --namespace "$namespace" \
    --project demo-authapp --key "$work/key.pem" --kid bench-key --tools "$tools" --work "$work" \
    --users "${USERS:-100000}" --concurrency "${MEMORY_CONCURRENCY:-16}" --hostile-megabytes "${HOSTILE_MB:-0}"
  echo "Memory case: $(( $(date +%s) - memory_started )) s in all (seeding, signing, both loads, the readings)"
fi
if [ -n "$streams_case" ]; then
  tools="$(bench_tools)"
  echo
  echo "==> Streams case: $stream_users users' live streams, then fan-out to ${FANOUT_USERS:-1000}; $(date -u '+%F %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  streams_started=$(date +%s)
  dotnet "$repo/bench/ApiMemory/bin/Release/net10.0/AuthApp.Bench.ApiMemory.dll" --mode streams \
    --api "$api/" --api-pid "$api_pid" --database-pid "$database_pid" --auth "127.0.0.1:$auth_port" --database "$db/" \
    --namespace "$namespace" --project demo-authapp --key "$work/key.pem" --kid bench-key --tools "$tools" --work "$work" \
    --users "$stream_users" --concurrency "${MEMORY_CONCURRENCY:-16}" --idle-seconds "${STREAMS_IDLE:-60}" \
    --fanout-users "${FANOUT_USERS:-1000}" --rate "${FANOUT_RATE:-50}" --fanout-seconds "${FANOUT_SECONDS:-60}" \
    --direct-writes "${DIRECT_WRITES:-100}" --direct-rate 10
  echo "Streams case: $(( $(date +%s) - streams_started )) s in all; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo
python3 - "$work/all.txt" <<'PY'
import re, sys
runs = {run.split("\n", 1)[0]: run for run in re.split(r"^Case: ", open(sys.argv[1]).read(), flags=re.M) if run}
def figures(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text).groups()
    return rps, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
alive = next((figures(run) for label, run in runs.items() if label.startswith("GET /alive")), None)
profile = next((figures(run) for label, run in runs.items() if label.startswith("GET /auth/profile")), None)
if alive and profile:
    (alive_rps, alive_p99), (profile_rps, profile_p99) = alive, profile
    print(f"Same run: cached profile = {profile_rps / alive_rps:.0%} of /alive's requests/s (target >= 80%), "
          f"p99 = {profile_p99 / alive_p99:.2f} x /alive's (target <= 1.5 x).")
PY
[ "$soak" -gt 0 ] || exit 0
echo
echo "==> Soak: ${soak} s of mixed traffic (80% profile, 10% device_state, 5% schedules, 5% alive), wrk -t$threads -c$connections"
soak_log_before="$(log_bytes)"
wrk -t"$threads" -c"$connections" -d"${soak}s" --latency -s "$here/mixed.lua" "$api" >"$work/soak.txt" 2>&1 || true
grep -E "Requests/sec|Non-2xx|Socket errors" "$work/soak.txt" || true
soak_requests="$(grep -oE '^ *[0-9]+ requests in' "$work/soak.txt" | grep -oE '[0-9]+' || echo 0)"
echo "File log: $(( $(log_bytes) - soak_log_before )) bytes written during the soak's ${soak_requests} requests"
echo "API resident set (VmRSS): $idle_rss idle after start-up and warm-up; $(rss) after the ${soak} s soak"
echo
if [ -n "${BENCH_KEEP_OUTPUT:-}" ]; then cp "$work/all.txt" "$BENCH_KEEP_OUTPUT"; fi
