#!/usr/bin/env bash
# Runs the whole system: the Aspire AppHost with its dashboard, Redis, the Firebase emulators,
# the API and the scheduler. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

echo "==> Starting AuthApp (Redis: $Cache__Mode)"
echo "    Dashboard: http://localhost:15080 (open the login URL printed below)"
echo "    API:       http://localhost:5080  (e.g. curl http://localhost:5080/health)"

status=0
dotnet run --project AuthApp.AppHost --launch-profile http "$@" || status=$?

# DCP stops the resource processes on its own after the AppHost exits; wait for it rather than
# leave them (or a half-stopped emulator) behind.
for _ in $(seq 1 60); do
  pgrep -f "dcp(ctrl|proc)? " >/dev/null 2>&1 || break
  sleep 1
done
exit "$status"
