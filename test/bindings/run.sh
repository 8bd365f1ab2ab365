#!/usr/bin/env bash
# Binding smoke tests: the Python, Go and Java packages that jsii-pacmak built
# into dist/ each synthesize a PlatformNetwork and check the template.
# Run after `npx projen package-all`. Pass languages to run a subset:
#   bash test/bindings/run.sh python go
set -euo pipefail
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
langs=("${@:-python go java}")
# shellcheck disable=SC2206
langs=(${langs[*]})

run_python() {
  local wheel
  wheel=$(ls "$root"/dist/python/*.whl 2>/dev/null | head -1)
  [ -n "$wheel" ] || { echo "no wheel in dist/python: run npx projen package-all first"; return 1; }
  # Outside test/ so tools that scan the test tree do not read installed packages.
  local venv="$root/.venv-bindings/python"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
  "$venv/bin/python" "$here/python/app.py"
}

run_go() {
  local generated="$root/dist/go/platformconstructs"
  [ -f "$generated/go.mod" ] || { echo "no Go module in dist/go: run npx projen package-all first"; return 1; }
  local build="$here/go/build"
  rm -rf "$build" && mkdir -p "$build"
  cp -r "$generated" "$build/platformconstructs"
  # Drop the indirect requirements pacmak copied from aws-cdk-lib's npm bundle;
  # `go mod tidy` resolves them from awscdk's own go.mod (minimal version selection).
  (cd "$build/platformconstructs" && rm -f local.go.mod &&
    for dep in $(go mod edit -json | "$root/node_modules/.bin/ts-node" --transpile-only -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const r of JSON.parse(s).Require??[]){if(r.Indirect)console.log(r.Path)}})'); do
      go mod edit -droprequire="$dep"
    done)
  (cd "$here/go" && go mod tidy && go run .)
}

run_java() {
  [ -d "$root/dist/java" ] || { echo "no Maven repository in dist/java: run npx projen package-all first"; return 1; }
  # Maven caches a release version forever: drop the copy of our 0.0.0 so the
  # freshly built jar from dist/java is the one tested.
  rm -rf "${HOME}/.m2/repository/io/github/innovate-inc/platform-constructs"
  (cd "$here/java" &&
    mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt &&
    java -cp "target/classes:$(cat target/classpath.txt)" io.github.innovate_inc.smoke.Main)
}

for lang in "${langs[@]}"; do
  echo "== binding smoke test: $lang"
  "run_$lang"
done
