#!/usr/bin/env bash
# Binding smoke tests: the Python, Go and Java packages that jsii-pacmak built
# into dist/ each synthesize a PlatformNetwork and check the template.
# Run after `npx projen package-all`. Pass languages to run a subset:
#   bash test/bindings/run.sh python go
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=test/bindings/lib.sh
source "$here/lib.sh"
langs=("${@:-python go java}")
# shellcheck disable=SC2206
langs=(${langs[*]})

run_python() {
  bindings_python_venv "$here/python/requirements.txt"
  "$BINDINGS_VENV/bin/python" "$here/python/app.py"
}

run_go() {
  bindings_go_module "$here/go/build"
  (cd "$here/go" && go mod tidy && go run .)
}

run_java() {
  [ -d "$BINDINGS_ROOT/dist/java" ] || { echo "no Maven repository in dist/java: run npx projen package-all first"; return 1; }
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
