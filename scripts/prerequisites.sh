#!/usr/bin/env bash
# Installs what a local run or the tests need and is not a NuGet package:
# firebase-tools (pinned in firebase/package-lock.json) and Debian's redis-server with redis-cli: for the
# AppHost where no container runtime answers, for the tests always (test.sh sets
# AUTHAPP_PREREQUISITES_FOR_TESTS=1). Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

container_runtime_answers() {
  for runtime in docker podman; do
    if command -v "$runtime" >/dev/null 2>&1 && timeout 5 "$runtime" info >/dev/null 2>&1; then
      return 0
    fi
  done
  return 1
}

# Redis: the AppHost's Cache:Mode (container | executable | auto). Decide once, here, so that a stale
# Docker socket cannot send the AppHost waiting for a container that never starts.
if [ -z "${Cache__Mode:-}" ]; then
  if container_runtime_answers; then export Cache__Mode=container; else export Cache__Mode=executable; fi
fi
# redis-server and redis-cli (Debian's redis-server pulls in redis-tools, which has redis-cli). The AppHost needs the
# server only without a container runtime; the tests always need both, whatever the runtime: their fixtures start
# redis-server themselves, and the Redis Cluster fixture joins six of them with redis-cli --cluster create.
install_redis() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  echo "==> Installing redis-server and redis-tools ($1)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server redis-tools >/dev/null
  # Debian starts a system-wide instance on 6379; the AppHost and the tests run their own on free ports.
  as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
}
if [ "$Cache__Mode" = "executable" ]; then
  install_redis "no container runtime here"
fi
if [ "${AUTHAPP_PREREQUISITES_FOR_TESTS:-}" = "1" ]; then
  install_redis "the tests start their own Redis servers and clusters"
fi

# firebase-tools, for the official Auth emulator: npm ci when the installed version is not the one the lock file
# pins. (Not file dates: a fresh clone's lock file is always "newer" than any install.) node_modules may be a link
# to an install other checkouts share; npm ci would empty it for all of them, so never install through a link.
firebase_dir="$repo_root/firebase"
locked=$(node -p "require('$firebase_dir/package-lock.json').packages['node_modules/firebase-tools'].version")
installed=$(node -p "require('$firebase_dir/node_modules/firebase-tools/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$locked" ] || [ ! -x "$firebase_dir/node_modules/.bin/firebase" ]; then
  if [ -L "$firebase_dir/node_modules" ]; then
    echo "firebase/node_modules links to a shared install (firebase-tools ${installed:-missing}); this checkout pins $locked." >&2
    echo "Update the shared install, or remove the link so that npm ci installs into this checkout." >&2
    exit 1
  fi
  echo "==> Installing firebase-tools $locked (npm ci in firebase/)"
  (cd "$firebase_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
