#!/usr/bin/env bash
# The Phase 1 reference app in Python and Go (examples/python, examples/go)
# against the packages jsii-pacmak built into dist/, compared stack by stack
# with the TypeScript app (scripts/compare-reference-apps.ts, which also
# fails on a finding of the cdk-nag packs the TypeScript and Python apps run
# at synthesis). Then, on the three cloud assemblies:
# - the four cdk-nag packs over the templates (scripts/nag-assembly.ts: the
#   Go app cannot run them at synthesis), after its self-test proves on the
#   TypeScript app that they conclude there exactly what they conclude in
#   the construct tree;
# - cfn-lint and checkov over the Python and Go apps' templates
#   (scripts/validate.sh, the TypeScript app's configuration and the skips
#   explained in the templates; `npm run validate` checks the TypeScript
#   app's own cdk.out/).
# Fails on any of them. Run after `npx projen package-all`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=test/bindings/lib.sh
source "$root/test/bindings/lib.sh"

bindings_python_venv "$root/examples/python/requirements.txt"
bindings_go_module "$root/examples/go/build"
(cd "$root/examples/go" && go mod tidy)
cd "$root"
ts_node=(node_modules/.bin/ts-node --transpile-only --project tsconfig.dev.json)
"${ts_node[@]}" scripts/compare-reference-apps.ts --python "$BINDINGS_VENV/bin/python" "$@"

out=cdk.out/reference-apps
# The validators (two single-threaded Python processes) next to the packs
# (one Node.js process); the validators' output is printed after the packs'.
validate_log=$(mktemp)
trap 'rm -f "$validate_log"' EXIT
bash scripts/validate.sh "$out/python" "$out/go" > "$validate_log" 2>&1 &
validate_pid=$!
echo
echo "==> cdk-nag packs over the reference apps' templates (scripts/nag-assembly.ts)"
nag_rc=0
"${ts_node[@]}" scripts/nag-assembly.ts --self-test "$out/typescript" "$out/python" "$out/go" || nag_rc=$?
validate_rc=0
wait "$validate_pid" || validate_rc=$?
echo
echo "==> cfn-lint and checkov over the Python and Go apps' templates (scripts/validate.sh)"
grep -v '^Validating ' "$validate_log" || true
if [ "$nag_rc" -ne 0 ] || [ "$validate_rc" -ne 0 ]; then
  echo "reference apps: the cdk-nag packs (exit ${nag_rc}) or cfn-lint/checkov (exit ${validate_rc}) failed"
  exit 1
fi
echo "reference apps: cdk-nag packs, cfn-lint and checkov clean on the TypeScript, Python and Go apps"
