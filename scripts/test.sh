#!/usr/bin/env bash
# The test command (README): builds the solution and runs every test project, then prints the totals over all of
# them as its last line, "N passed, N failed". It installs what the suites need when it is missing (PostgreSQL from
# Debian's package; Debian's chromium for the dashboard test), starts a throwaway PostgreSQL server for the cluster
# suites, and stops what it started.
set -uo pipefail
cd "$(dirname "$0")/.."

# --- begin: headless Chromium for the dashboard test (tests/Dispatcher.ApiFront.Tests/Dashboard) -----------------
# Playwright's .NET driver brings its own Node runtime inside the Microsoft.Playwright package but cannot download a
# browser here, so the test drives Debian's chromium. Install it when missing (root or passwordless sudo); without it
# the dashboard test fails with a message saying so.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
  apt_get="env DEBIAN_FRONTEND=noninteractive apt-get"
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then apt_get="sudo -n $apt_get"; else apt_get=""; fi
  fi
  if [ -n "$apt_get" ]; then
    echo "Installing chromium for the dashboard test..."
    $apt_get update -qq >/dev/null 2>&1 || true
    $apt_get install -y -qq chromium >/dev/null 2>&1 \
      || echo "warning: could not install chromium; the dashboard test will fail" >&2
  else
    echo "warning: chromium is missing and cannot be installed without root; the dashboard test will fail" >&2
  fi
fi
# --- end: headless Chromium ----------------------------------------------------------------------------------------

log=$(mktemp)
pgroot=$(mktemp -d /tmp/dispatcher-pg-XXXXXX)
cleanup() { scripts/postgres.sh stop "$pgroot/data" >/dev/null 2>&1; rm -rf "$log" "$pgroot"; }
trap cleanup EXIT

# PostgreSQL: one throwaway server on a free loopback port; each suite creates its own databases in it.
scripts/postgres.sh install || { echo "could not install PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
# nginx and curl: the load balancer of deploy/local-cluster.sh (which a cluster test runs) and its readiness probe.
missing=""
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then missing="$missing nginx-light"; fi
if ! command -v curl >/dev/null 2>&1; then missing="$missing curl"; fi
if [ -n "$missing" ] && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
    || echo "warning: could not install$missing; the local cluster test will fail" >&2
fi
# A port can look free and still refuse the bind (another server starting, a lingering socket): try the next ones.
port=55432
DISPATCHER_TEST_POSTGRES=""
for _ in 1 2 3 4 5; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  if DISPATCHER_TEST_POSTGRES=$(scripts/postgres.sh start "$pgroot/data" "$port" 2>"$pgroot.err"); then break; fi
  DISPATCHER_TEST_POSTGRES=""
  port=$((port + 1))
done
if [ -z "$DISPATCHER_TEST_POSTGRES" ]; then
  cat "$pgroot.err" >&2; echo "could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1
fi
rm -f "$pgroot.err"
export DISPATCHER_TEST_POSTGRES

# A hung test fails its project after five minutes instead of holding CI until its time limit.
dotnet test Dispatcher.sln -c Release --nologo --blame-hang-timeout 5m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test project: "Passed!  - Failed: 0, Passed: 38, Skipped: 0, Total: 38, ..."
sum() { grep -E '^(Passed|Failed)! +- ' "$log" | grep -Eo "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed)
failed=$(sum Failed)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build broke or a test host crashed before reporting: that is a failure too.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
