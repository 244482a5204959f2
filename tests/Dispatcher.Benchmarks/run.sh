#!/usr/bin/env bash
# The load benchmark of issue 8, in one command: installs wrk if missing, builds Dispatcher and the harness in Release,
# then runs the harness (arguments pass through: --smoke, --duration 3, --rounds 3, --concurrency 1,16,64, --portkey ...).
# Writes tests/Dispatcher.Benchmarks/results/latest.md (not on --smoke) and raw JSON under results/raw/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if ! command -v wrk >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk >/dev/null
fi

dotnet build -c Release -nologo -clp:ErrorsOnly src/ApiFront/Dispatcher.ApiFront.csproj
dotnet build -c Release -nologo -clp:ErrorsOnly tests/Dispatcher.Benchmarks/Dispatcher.Benchmarks.csproj
exec dotnet tests/Dispatcher.Benchmarks/bin/Release/net10.0/Dispatcher.Benchmarks.dll "$@"
