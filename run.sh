#!/usr/bin/env bash
# Runs the whole system: the Aspire AppHost with its dashboard, Redis, the Firebase emulators,
# the API and the scheduler. Ctrl+C (SIGINT) or SIGTERM stops everything, also when this script
# runs in the background.
#
# Ports (environment, defaults in brackets): Ports__Api [5080], Ports__Scheduler [5090],
# Ports__Database [9000], Ports__Dashboard [15080], Ports__Otlp [19080], Ports__ResourceService [20080].
# Arguments are passed to the AppHost, e.g. ./run.sh --LocalData:Persist=false
set -euo pipefail

# Started in the background by a script (`./run.sh &`), this shell inherits SIGINT ignored, and bash cannot
# trap a signal that was ignored on entry: start over with the default handling, so that Ctrl+C and
# `kill -INT` stop the run in every case.
if [ -z "${AUTHAPP_RUN_SIGNALS:-}" ]; then
  export AUTHAPP_RUN_SIGNALS=default
  exec env --default-signal=INT,TERM "$BASH" "$0" "$@"
fi

cd "$(dirname "$0")"
source scripts/prerequisites.sh

export Ports__Api="${Ports__Api:-5080}" Ports__Scheduler="${Ports__Scheduler:-5090}" Ports__Database="${Ports__Database:-9000}"
dashboard_port="${Ports__Dashboard:-15080}"

# What the AppHost's "http" launch profile sets (an IDE uses the profile; this script runs the built AppHost
# itself, so that the signal it forwards reaches the AppHost rather than a `dotnet run` wrapper).
export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development
export ASPNETCORE_URLS="http://localhost:${dashboard_port}"
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://localhost:${Ports__Otlp:-19080}"
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:${Ports__ResourceService:-20080}"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true

# Every process of this run: the AppHost, and the sessions Aspire's orchestrator (DCP) starts for itself and
# for the resources. DCP names the process it watches on its command line (--monitor <pid>), which ties its
# sessions to this AppHost and to no other run on the machine.
run_sessions() {
  local apiserver controllers
  apiserver=$(pgrep -f -- "dcp start-apiserver .*--monitor $1( |\$)" | head -n1 || true)
  [ -n "$apiserver" ] || return 0
  controllers=$(pgrep -f -- "dcp run-controllers .*--monitor $apiserver( |\$)" | head -n1 || true)
  echo "$apiserver${controllers:+,$controllers}"
}

# The API answers through the orchestrator's proxy on its fixed port; say so when it first does.
announce_health() {
  local started=$SECONDS
  until curl -fsS -o /dev/null --max-time 2 "http://localhost:${Ports__Api}/health" 2>/dev/null; do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 1
  done
  echo "==> The API answers http://localhost:${Ports__Api}/health ($((SECONDS - started)) s after start)"
}

apphost_pid=""
sessions=""
stopping=""
stop() {
  stopping=1
  if [ -n "$apphost_pid" ] && kill -0 "$apphost_pid" 2>/dev/null; then
    sessions=$(run_sessions "$apphost_pid")
    # SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored, and .NET keeps it so.
    kill -TERM "$apphost_pid" 2>/dev/null || true
  fi
}
trap stop INT TERM

# Another run (or anything else) on one of the ports would make the AppHost fail, or this script announce an
# API that is not this run's: say so before starting.
for port in "$Ports__Api" "$Ports__Scheduler" "$Ports__Database" "$dashboard_port" "${Ports__Otlp:-19080}" "${Ports__ResourceService:-20080}"; do
  if [ "$port" != 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is in use (another run?). Stop it, or choose other ports: see README, \"Ports\"." >&2
    exit 1
  fi
done

echo "==> Building"
dotnet build AuthApp.AppHost -nologo -v quiet -clp:NoSummary
[ -z "$stopping" ] || exit 130 # stopped while building

echo "==> Starting AuthApp (Redis: $Cache__Mode)"
echo "    Dashboard: http://localhost:${dashboard_port} (open the login URL printed below)"
echo "    API:       http://localhost:${Ports__Api} (a line below says when it answers)"

# From its own folder, so that its appsettings.json is found (the content root is the working directory).
(cd AuthApp.AppHost && exec bin/Debug/net10.0/AuthApp.AppHost "$@") &
apphost_pid=$!
announce_health "$apphost_pid" &
announcer_pid=$!

status=0
while :; do
  wait "$apphost_pid" && status=0 || status=$?
  kill -0 "$apphost_pid" 2>/dev/null || break # otherwise a trapped signal interrupted the wait
done
kill "$announcer_pid" 2>/dev/null || true

# DCP stops the resource processes after the AppHost has gone (the Auth emulator exports its accounts on the
# way out); wait for this run's processes, and only for them.
sessions=${sessions:-$(run_sessions "$apphost_pid")}
if [ -n "$sessions" ]; then
  echo "==> Waiting for the resources to stop"
  for _ in $(seq 1 60); do
    pgrep -s "$sessions" >/dev/null 2>&1 || break
    sleep 1
  done
fi
rm -rf /tmp/authapp-firebase-"$apphost_pid"-*
exit "$status"
