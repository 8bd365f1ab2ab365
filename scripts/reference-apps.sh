#!/usr/bin/env bash
# The Phase 1 reference app in Python and Go (examples/python, examples/go)
# against the packages jsii-pacmak built into dist/, compared stack by stack
# with the TypeScript app (scripts/compare-reference-apps.ts).
# Run after `npx projen package-all`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=test/bindings/lib.sh
source "$root/test/bindings/lib.sh"

bindings_python_venv "$root/examples/python/requirements.txt"
bindings_go_module "$root/examples/go/build"
(cd "$root/examples/go" && go mod tidy)
cd "$root"
exec node_modules/.bin/ts-node --transpile-only --project tsconfig.dev.json \
  scripts/compare-reference-apps.ts --python "$BINDINGS_VENV/bin/python" "$@"
