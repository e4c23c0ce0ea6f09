#!/usr/bin/env bash
# Writes the deployment manifest (Aspire's manifest format, plus replicas and probes) to
# artifacts/aspire-manifest.json, or to the path given as the first argument. Generated: never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

output="$(realpath -m "${1:-artifacts/aspire-manifest.json}")"
mkdir -p "$(dirname "$output")"
# The publisher takes the container Redis whatever this machine has (naming a mode skips the detection), unless
# Cache__Mode=external asks for a connection-string parameter: a Redis (or Redis Cluster) the operator runs.
Cache__Mode="${Cache__Mode:-executable}" dotnet run --project AuthApp.AppHost --no-launch-profile -- \
  --publisher manifest --output-path "$output" >/dev/null
echo "Manifest: $output"
