#!/usr/bin/env bash
# Compile every README code block and TSDoc @example with jsii-rosetta in
# strict mode (the Construct Hub convention), so Python, Go, Java and C#
# readers get translated examples. Strict outright: any snippet that does not
# compile fails the run. Run after `npx projen compile` (rosetta reads .jsii).
#
# Fixtures (rosetta/*.ts-fixture): an example is a complete file (its own
# imports, `declare const x: T;` for what it takes as given), compiled as it is
# through default.ts-fixture, which adds nothing. The README's
# "The blocks, one app file" snippets after the first say ```ts fixture=blocks:
# blocks.ts-fixture declares the names the earlier snippets define
# (test/docs/readme.test.ts compiles the real sequence).
#
# Compilation directory: the examples import this package, aws-cdk-lib,
# constructs, @aws-cdk/lambda-layer-kubectl-v35 and Node's `fs`. The last two
# are `jsiiRosetta.exampleDependencies` in package.json (what Construct Hub
# installs); here they come from node_modules, linked into a scratch directory
# with the package itself as @innovate-inc/platform-constructs, so no install
# and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .jsii ] || { echo "no .jsii: run npx projen compile first" >&2; exit 1; }
name=$(node -p "require('./package.json').name")
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/node_modules/$(dirname "$name")"
for entry in node_modules/* node_modules/.bin; do
  ln -s "$PWD/$entry" "$dir/node_modules/$(basename "$entry")"
done
ln -s "$PWD" "$dir/node_modules/$name"

status=0
npx jsii-rosetta extract --strict --compile --directory "$dir" --batch 200 > "$log" 2>&1 || status=$?
failing=$(grep -oE 'diagnostics encountered in [0-9]+ snippets' "$log" | grep -oE '[0-9]+ snippets' | grep -oE '[0-9]+' || echo 0)
if [ "$status" -ne 0 ] || [ "$failing" -ne 0 ]; then
  cat "$log"
  echo "jsii-rosetta: ${failing} example(s) do not compile (above): fix the example, or the fixture it names" >&2
  exit 1
fi
snippets=$(node -e "console.log(Object.keys(require('./.jsii.tabl.json').snippets).length)")
echo "jsii-rosetta: all ${snippets} examples compile and translate"
