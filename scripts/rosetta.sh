#!/usr/bin/env bash
# Compile every README code block and TSDoc @example with jsii-rosetta in
# strict mode (the Construct Hub convention: rosetta/default.ts-fixture
# supplies the imports and the names examples may use), so Python, Go, Java
# and C# readers get translated examples. Run after `npx projen compile`.
#
# Not every example compiles yet: rosetta/untranslatable.txt holds the number
# of snippets that still fail. This script fails when more fail than that (a
# new or broken example) and asks to lower the number when fewer do, until
# it reaches 0 and the run is strict outright.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .jsii ] || { echo "no .jsii: run npx projen compile first" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
npx jsii-rosetta extract --strict --compile > "$log" 2>&1 || status=$?
failing=$(grep -oE 'diagnostics encountered in [0-9]+ snippets' "$log" | grep -oE '[0-9]+ snippets' | grep -oE '[0-9]+' || echo 0)
allowed=$(tr -d '[:space:]' < rosetta/untranslatable.txt)
echo "jsii-rosetta: ${failing} snippet(s) do not compile (allowed: ${allowed})"
if [ "$status" -ne 0 ] && [ "$failing" -eq 0 ]; then
  cat "$log"; echo "jsii-rosetta failed without a snippet count (above)" >&2; exit 1
fi
if [ "$failing" -gt "$allowed" ]; then
  grep -E '^[^ ].*error TS[0-9]+' "$log" | head -40
  echo "more examples fail to compile than rosetta/untranslatable.txt allows: fix the example (or the fixture)" >&2
  exit 1
fi
if [ "$failing" -lt "$allowed" ]; then
  echo "fewer examples fail than allowed: write ${failing} into rosetta/untranslatable.txt and commit it"
fi
