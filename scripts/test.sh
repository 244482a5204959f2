#!/usr/bin/env bash
# The test command (README): builds the solution and runs every test project, then prints the totals over all of
# them as its last line, "N passed, N failed". It installs what the suites need when it is missing (nothing beyond
# .NET yet: the suites run real Kestrel servers on loopback and SQLite in-process) and stops what it started.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

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
