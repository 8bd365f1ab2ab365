#!/usr/bin/env bash
# Shared setup of the apps that use the packages jsii-pacmak built into dist/
# (the binding smoke tests in test/bindings/run.sh, the Python and Go
# reference apps in scripts/reference-apps.sh). Source it; it defines:
#   bindings_python_venv REQUIREMENTS...  the venv (.venv-bindings/python) with
#                                         the requirements and the fresh wheel
#   bindings_go_module BUILD_DIR          the generated Go module copied into
#                                         BUILD_DIR/platformconstructs, ready
#                                         for a `replace` directive
# BINDINGS_DIST overrides where the packages are read from (default dist/).
set -euo pipefail
BINDINGS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BINDINGS_DIST="${BINDINGS_DIST:-$BINDINGS_ROOT/dist}"
# Outside test/ so tools that scan the test tree do not read installed packages.
BINDINGS_VENV="$BINDINGS_ROOT/.venv-bindings/python"

bindings_python_venv() {
  local wheel
  wheel=$(ls "$BINDINGS_DIST"/python/*.whl 2>/dev/null | head -1)
  [ -n "$wheel" ] || { echo "no wheel in $BINDINGS_DIST/python: run npx projen package-all first"; return 1; }
  [ -x "$BINDINGS_VENV/bin/python" ] || python3 -m venv "$BINDINGS_VENV"
  local requirements
  for requirements in "$@"; do
    "$BINDINGS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  done
  "$BINDINGS_VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
}

bindings_go_module() {
  local build="$1"
  local generated="$BINDINGS_DIST/go/platformconstructs"
  [ -f "$generated/go.mod" ] || { echo "no Go module in $BINDINGS_DIST/go: run npx projen package-all first"; return 1; }
  rm -rf "$build" && mkdir -p "$build"
  cp -r "$generated" "$build/platformconstructs"
  # Drop the indirect requirements pacmak copied from aws-cdk-lib's npm bundle;
  # `go mod tidy` resolves them from awscdk's own go.mod (minimal version selection).
  (cd "$build/platformconstructs" && rm -f local.go.mod &&
    for dep in $(go mod edit -json | "$BINDINGS_ROOT/node_modules/.bin/ts-node" --transpile-only -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const r of JSON.parse(s).Require??[]){if(r.Indirect)console.log(r.Path)}})'); do
      go mod edit -droprequire="$dep"
    done)
}
