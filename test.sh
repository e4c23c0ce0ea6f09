#!/usr/bin/env bash
# Runs every test: unit, integration (official Auth emulator, local Realtime Database emulator,
# real Redis) and end-to-end (the real AppHost under Aspire.Hosting.Testing).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

dotnet test --solution AuthApp.sln "$@"
