#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: installs what the tests need, builds the
# solution, runs all test projects and prints the totals as the last line ("N passed, N failed").
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh
dotnet restore Notifier.sln
dotnet build Notifier.sln -c Release --no-restore

results="$(mktemp -d)"
status=0
dotnet test Notifier.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" || status=$?
/usr/bin/python3 tests/summarize-trx.py "$results" || status=1
exit $status
