#!/usr/bin/env bash
# Runs every test: unit, integration (official Firebase Auth emulator, local Realtime Database emulator,
# real Redis) and end-to-end (the real AppHost under Aspire.Hosting.Testing).
set -euo pipefail
cd "$(dirname "$0")"
AUTHAPP_PREREQUISITES_FOR_TESTS=1 source scripts/prerequisites.sh
source scripts/test-auth-emulator.sh

summary=$(mktemp)
trap 'stop_test_auth_emulator; rm -f "$summary"' EXIT
start_test_auth_emulator "$PWD"
status=0
dotnet test --solution AuthApp.sln "$@" | tee "$summary" || status=$?

# One plain closing line, whatever the runner's own summary looks like.
passed=$(grep -oP '^\s+succeeded: \K\d+' "$summary" | tail -1 || true)
failed=$(grep -oP '^\s+failed: \K\d+' "$summary" | tail -1 || true)
echo "Tests: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
