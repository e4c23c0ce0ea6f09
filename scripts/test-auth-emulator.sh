#!/usr/bin/env bash
# Sourced by test.sh. One official Auth emulator for every test assembly that uses one: its address goes to
# AUTHAPP_TESTS_AUTH_EMULATOR, and AuthApp.Testing's AuthEmulatorFixture then starts none of its own. Each start costs
# node about 15 s of CPU and 400 MB, and three assemblies starting theirs at once on two cores waited on each other.
# (The AppHost's tests start the AppHost's own emulator, as a developer's run does.) Accounts do not collide: every
# test makes its own, with an address of its own.

start_test_auth_emulator() {
  local repo_root="$1" ports
  test_auth_emulator_dir=$(mktemp -d -t authapp-test-auth-XXXXXX)
  mkdir -p "$test_auth_emulator_dir/home"
  # firebase-tools takes ports, not port 0: three the system just handed out for port 0.
  ports=$(node -e '
    const net = require("net");
    const free = () => new Promise(resolve => { const server = net.createServer();
      server.listen(0, "127.0.0.1", () => { const port = server.address().port; server.close(() => resolve(port)); }); });
    Promise.all([free(), free(), free()]).then(ports => console.log(ports.join(" ")));')
  read -r auth hub logging <<<"$ports"
  cat >"$test_auth_emulator_dir/firebase.json" <<JSON
{ "emulators": { "auth": { "host": "127.0.0.1", "port": $auth }, "hub": { "host": "127.0.0.1", "port": $hub },
  "logging": { "host": "127.0.0.1", "port": $logging }, "ui": { "enabled": false }, "singleProjectMode": true } }
JSON
  (cd "$test_auth_emulator_dir" && HOME="$test_auth_emulator_dir/home" CI=true \
    exec "$repo_root/firebase/node_modules/.bin/firebase" emulators:start --only auth --project demo-authapp \
      --config "$test_auth_emulator_dir/firebase.json") >"$test_auth_emulator_dir/emulator.log" 2>&1 &
  test_auth_emulator_pid=$!
  # Not waited for here: it starts while dotnet test builds, and the fixtures wait until it says it is ready.
  export AUTHAPP_TESTS_AUTH_EMULATOR="127.0.0.1:$auth"
}

stop_test_auth_emulator() {
  if [ -n "${test_auth_emulator_pid:-}" ]; then
    kill "$test_auth_emulator_pid" 2>/dev/null || true
    wait "$test_auth_emulator_pid" 2>/dev/null || true
    test_auth_emulator_pid=
  fi
  [ -n "${test_auth_emulator_dir:-}" ] && rm -rf "$test_auth_emulator_dir"
  test_auth_emulator_dir=
}
