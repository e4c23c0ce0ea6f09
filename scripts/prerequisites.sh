#!/usr/bin/env bash
# Installs what a local run or the tests need and is not a NuGet package:
# firebase-tools (pinned in firebase/package-lock.json) and, where no container runtime answers,
# Debian's redis-server. Sourced by run.sh and test.sh; safe to run again.
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
if [ "$Cache__Mode" = "executable" ] && ! command -v redis-server >/dev/null 2>&1; then
  echo "==> Installing redis-server (no container runtime here)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
  # Debian starts a system-wide instance on 6379; the AppHost runs its own on a free port.
  as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
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
