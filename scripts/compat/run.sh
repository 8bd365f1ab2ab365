#!/usr/bin/env bash
# The compatibility run: the Jest suite and both reference apps (Phase 1 and
# Phase 2, under the four cdk-nag packs) on the newest aws-cdk-lib the npm
# registry serves, next to the pinned minimum every other step uses.
#
# That aws-cdk-lib is installed into .compat/aws-cdk-lib-<version>/ (ignored by
# git), never into node_modules: package.json and the lockfile keep the pinned
# devDependency. Jest maps every `aws-cdk-lib` import there
# (scripts/compat/jest.config.js); the reference apps' Node processes resolve
# it there through scripts/compat/require-hook.js.
#
#   bash scripts/compat/run.sh                # newest version, tests + reference apps
#   CDK_COMPAT_VERSION=2.270.0 bash scripts/compat/run.sh
#   bash scripts/compat/run.sh --record       # also write the version into README.md
#   bash scripts/compat/run.sh -- test/network   # Jest arguments after --
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

record=false
jest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --record) record=true ;;
    --) shift; jest_args=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

version="${CDK_COMPAT_VERSION:-$(npm view aws-cdk-lib version)}"
pinned=$(node -p "require('./node_modules/aws-cdk-lib/package.json').version")
dir="$root/.compat/aws-cdk-lib-$version"
if [ ! -f "$dir/node_modules/aws-cdk-lib/package.json" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "aws-cdk-lib-compat", "private": true }' > "$dir/package.json"
  # No peers: constructs (and everything else) stays the project's own copy.
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --legacy-peer-deps --no-package-lock "aws-cdk-lib@$version"
fi

export CDK_COMPAT_DIR="$dir"
hook="--require $root/scripts/compat/require-hook.js"
seen=$(NODE_OPTIONS="${NODE_OPTIONS:-} $hook" node -p "require('aws-cdk-lib/package.json').version")
if [ "$seen" != "$version" ]; then
  echo "the require hook resolved aws-cdk-lib $seen, not $version" >&2
  exit 1
fi
echo "aws-cdk-lib $version (pinned: $pinned), from ${dir#"$root"/}"

# A warning printed by aws-cdk-lib about our own code (a deprecated API) fails
# the run: the next major release removes what it names.
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo
echo "--> tests on aws-cdk-lib $version"
npx jest -c scripts/compat/jest.config.js --ci "${jest_args[@]}" 2>&1 | tee "$log"

echo
echo "--> reference apps on aws-cdk-lib $version"
# Into .compat/cdk.out: cdk.out/ stays the pinned version's for the steps after.
REFERENCE_OUTDIR="$root/.compat/cdk.out" NODE_OPTIONS="${NODE_OPTIONS:-} $hook" \
  npx ts-node --transpile-only --project tsconfig.dev.json scripts/reference.ts 2>&1 | tee -a "$log"

# Allowed, each with its reason (a warning caused by a third party reading a
# deprecated property, never by our code setting it):
# - CfnEventBusPolicy#principal: cdk-nag 3's EventBusOpenAccess rule reads
#   `node.principal` on every event bus policy; SecurityAlerts sets only
#   `statement` (test/governance/security-alerts.test.ts pins that).
allowed='aws_events\.CfnEventBusPolicy#principal is deprecated'
# Only aws-cdk-lib's own warnings ("[WARNING] aws-cdk-lib.<api> is deprecated"),
# not Node's (a dependency of the tools using fs.F_OK, say).
deprecated='aws-cdk-lib\.[A-Za-z0-9_.#]+ is deprecated'
if grep -E "$deprecated" "$log" | grep -v 'node_modules' | grep -vE "$allowed" > /dev/null; then
  echo
  grep -E -A3 "$deprecated" "$log" | grep -vE "$allowed" | head -40
  echo "aws-cdk-lib $version reports deprecated APIs in use (above): replace them with what each warning names" >&2
  exit 1
fi

readme_version=$(grep -oE '<!-- newest-tested -->`[0-9.]+`' README.md | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' || true)
if [ "$record" = true ] && [ "$readme_version" != "$version" ]; then
  sed -i -E "s/<!-- newest-tested -->\`[0-9.]+\`/<!-- newest-tested -->\`$version\`/" README.md
  echo "README.md: newest tested aws-cdk-lib recorded as $version"
elif [ "$readme_version" != "$version" ]; then
  echo "note: README.md records aws-cdk-lib ${readme_version:-(none)} as the newest tested; this run passed on $version: run 'bash scripts/compat/run.sh --record' and commit README.md"
fi
echo "aws-cdk-lib $version: tests and reference apps pass"
