#!/usr/bin/env bash
# Check the Kubernetes artifacts the library generates with the upstream
# projects' own schemas and tools:
#  - every object of every aws-eks-v2 KubernetesResource manifest (and the
#    objects known charts render from their values) against the upstream CRDs
#    (Karpenter, prometheus-operator, Velero) with kube-apiserver's validation
#    code (tools/k8s-validate); built-in kinds by strict decoding into k8s.io/api;
#  - every PrometheusRule's groups with `promtool check rules`;
#  - every Alertmanager configuration with `amtool check-config`.
#
# The CRDs come from the upstream release module zips on the Go module proxy,
# pinned by version AND sha256 (a mismatch fails); promtool and amtool are
# built with `go install` at pinned versions (checked by the Go checksum
# database); the validator is built from tools/k8s-validate (go.sum). All of it
# is cached under .cache/k8s-validate/ (gitignored by the `.cache` entry).
#
# Usage: scripts/validate-k8s.sh [--cdk-out DIR]... [--expect KIND[=N]]... [--no-auto-expect] [--out DIR]
#        scripts/validate-k8s.sh --self-test
#        scripts/validate-k8s.sh --setup-only
#   --cdk-out DIR     templates to read (recursively, so cdk.out covers cdk.out/phase2); default cdk.out
#   --expect KIND[=N] fail unless at least N (default 1) KIND objects are checked. KIND is an object kind
#                     (NodePool, EC2NodeClass, PrometheusRule, Schedule, ...), or PrometheusRuleFile
#                     (promtool) or AlertmanagerConfig (amtool). Also from K8S_VALIDATE_EXPECT (space-separated).
#   --no-auto-expect  drop the expectations implied by the templates: an EKS cluster implies NodePool and
#                     EC2NodeClass; a kube-prometheus-stack chart implies PrometheusRule, PrometheusRuleFile and
#                     AlertmanagerConfig; a velero chart implies Schedule.
#   --setup-only      only fetch the CRDs and build the validator, promtool and amtool (to warm the cache early)
#   --self-test       prove the checks can fail: invalid samples under tools/k8s-validate/testdata/ must be
#                     rejected (each for its stated reason), valid ones and a sample template must pass, and a
#                     template with an EKS cluster but no Karpenter objects must fail.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
ROOT=$PWD
SELF=$ROOT/scripts/validate-k8s.sh

CACHE=${K8S_VALIDATE_CACHE:-$ROOT/.cache/k8s-validate}
CRD_DIR=$CACHE/crds
BIN=$CACHE/bin
TESTDATA=$ROOT/tools/k8s-validate/testdata

# Upstream CRDs: name | Go module | version | sha256 of the module zip | files in the module.
# The zip's sha256 was computed when the pin was set; bump version and sha256 together.
CRD_SOURCES=(
  "karpenter|github.com/aws/karpenter-provider-aws|v1.15.1|1217afce8edf7f1a50f099c5db08dc0a5dc9194fc01d13270cb58d8db9e1921e|pkg/apis/crds/karpenter.sh_nodepools.yaml pkg/apis/crds/karpenter.sh_nodeclaims.yaml pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml"
  "prometheus-operator|github.com/prometheus-operator/prometheus-operator|v0.93.1|dbb15cdd7cbefe81f24f012beac2fdf5f544cebd2563fd306bd4b9980d42e1a1|example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"
  "velero|github.com/vmware-tanzu/velero|v1.18.1|3bef0eb999abc7eaa0a6c0e7581f795e3b1c0a4d5bbfefa0bd337c5c864a9bda|config/crd/v1/bases/velero.io_schedules.yaml"
)
# Groups whose objects must match a loaded CRD (an object of these groups without one is an error).
REQUIRED_GROUPS=karpenter.sh,karpenter.k8s.aws,monitoring.coreos.com,velero.io
# Upstream tools: promtool of Prometheus 3.16 (module versions v0.3XX.Y are Prometheus v3.XX.Y); amtool of the
# Alertmanager that kube-prometheus-stack 88.5.3 deploys (src/observability/prometheus-stack.ts). -tags
# remove_all_sd drops promtool's cloud service-discovery plugins (AWS, Azure, GCE...), which `check rules`
# does not use: half of its modules and build time.
PROMTOOL_PKG=github.com/prometheus/prometheus/cmd/promtool
PROMTOOL_VERSION=v0.316.0
AMTOOL_PKG=github.com/prometheus/alertmanager/cmd/amtool
AMTOOL_VERSION=v0.34.0

export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export GOFLAGS="${GOFLAGS:-} -modcacherw"

timed() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  "$@"
  echo "    (${name}: $(( $(date +%s) - t0 ))s)"
}

goproxy() {
  local p; p=$(go env GOPROXY); p=${p%%,*}; p=${p%%|*}
  case "$p" in off|direct|"") p=https://proxy.golang.org ;; esac
  echo "${p%/}"
}

fetch_crds() {
  mkdir -p "$CRD_DIR" "$CACHE/zips"
  local proxy; proxy=$(goproxy)
  local entry name module version sha files
  for entry in "${CRD_SOURCES[@]}"; do
    IFS='|' read -r name module version sha files <<<"$entry"
    local dir="$CRD_DIR/$name"
    if [ "$(cat "$dir/.sha256" 2>/dev/null)" = "$sha" ]; then
      echo "  $name $version: cached"
      continue
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    local zip="$CACHE/zips/$name-$version.zip"
    curl -fsS --retry 3 -o "$zip" "$proxy/$module/@v/$version.zip"
    local got; got=$(sha256sum "$zip" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
      echo "ERROR: $module@$version zip sha256 is $got, pinned $sha" >&2
      rm -f "$zip"
      return 1
    fi
    local f
    for f in $files; do
      unzip -p "$zip" "$module@$version/$f" > "$dir/$(basename "$f")"
      [ -s "$dir/$(basename "$f")" ] || { echo "ERROR: $f not in $module@$version" >&2; return 1; }
    done
    rm -f "$zip"
    echo "$sha" > "$dir/.sha256"
    echo "  $name $version: $(echo "$files" | wc -w) CRD file(s), zip sha256 verified"
  done
}

build_validator() {
  mkdir -p "$BIN"
  local src; src=$(cat tools/k8s-validate/go.mod tools/k8s-validate/go.sum tools/k8s-validate/*.go | sha256sum | cut -d' ' -f1)
  if [ -x "$BIN/k8s-validate" ] && [ "$(cat "$BIN/.k8s-validate.sha256" 2>/dev/null)" = "$src" ]; then
    echo "  k8s-validate: up to date"
    return
  fi
  (cd tools/k8s-validate && go build -mod=readonly -trimpath -o "$BIN/k8s-validate" .)
  echo "$src" > "$BIN/.k8s-validate.sha256"
  echo "  k8s-validate: built"
}

install_tool() {
  local bin="$1" pkg="$2" version="$3"; shift 3
  if [ -x "$BIN/$bin" ] && go version -m "$BIN/$bin" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]].*[[:space:]]$version([[:space:]]|$)"; then
    echo "  $bin $version: cached"
    return
  fi
  GOBIN="$BIN" go install -trimpath "$@" "$pkg@$version"
  echo "  $bin $version: installed"
}

setup() {
  command -v go >/dev/null || { echo "ERROR: go is not installed" >&2; exit 1; }
  echo "==> upstream CRDs (Go module proxy, sha256-pinned)"
  timed "CRDs" fetch_crds
  echo "==> validator (tools/k8s-validate)"
  timed "validator build" build_validator
  echo "==> promtool $PROMTOOL_VERSION, amtool $AMTOOL_VERSION (go install)"
  timed "promtool" install_tool promtool "$PROMTOOL_PKG" "$PROMTOOL_VERSION" -tags remove_all_sd
  timed "amtool" install_tool amtool "$AMTOOL_PKG" "$AMTOOL_VERSION"
}

# Runs the checks on templates; exit status 1 on any failure.
check_templates() {
  local out="$1"; shift
  local -a dirs=("$@")
  echo "==> extract Kubernetes objects from ${dirs[*]}"
  npx ts-node --transpile-only --project tsconfig.dev.json scripts/extract-k8s-objects.ts --out "$out" "${dirs[@]}" || return 1

  local -A expect=()
  local e
  for e in "${EXPECT[@]}" ${K8S_VALIDATE_EXPECT:-}; do
    expect[${e%%=*}]=$([[ "$e" == *=* ]] && echo "${e#*=}" || echo 1)
  done
  if [ "$AUTO_EXPECT" = 1 ]; then
    local auto
    auto=$(node -e '
      const fs = require("fs"); const path = require("path"); const out = process.argv[1];
      const s = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
      const charts = fs.readdirSync(path.join(out, "helm")).map((f) => JSON.parse(fs.readFileSync(path.join(out, "helm", f), "utf8")).chart || "");
      const has = (c) => charts.some((x) => x.split("/").pop() === c);
      const kinds = [];
      if (s.eksClusters > 0) kinds.push("NodePool", "EC2NodeClass");
      if (has("kube-prometheus-stack")) kinds.push("PrometheusRule", "PrometheusRuleFile", "AlertmanagerConfig");
      if (has("velero")) kinds.push("Schedule");
      console.log(kinds.join(" "));' "$out") || return 1
    for e in $auto; do [ -n "${expect[$e]:-}" ] || expect[$e]=1; done
  fi
  local -a expect_args=()
  for e in "${!expect[@]}"; do
    case "$e" in PrometheusRuleFile|AlertmanagerConfig) ;; *) expect_args+=(--expect "$e=${expect[$e]}") ;; esac
  done
  [ ${#expect[@]} -eq 0 ] || echo "expected: $(for e in "${!expect[@]}"; do printf '%s>=%s ' "$e" "${expect[$e]}"; done)"

  local failed=0
  echo "==> CRD schemas + CEL rules (k8s-validate; required CRDs for $REQUIRED_GROUPS)"
  "$BIN/k8s-validate" --quiet --crds "$CRD_DIR" --require-crd "$REQUIRED_GROUPS" "${expect_args[@]}" "$out/objects" || failed=1

  echo "==> promtool check rules"
  local -a rules=("$out"/promtool/*.json)
  if [ ${#rules[@]} -gt 0 ]; then
    "$BIN/promtool" check rules --lint-fatal "${rules[@]}" || failed=1
  fi
  echo "promtool: checked ${#rules[@]} objects (PrometheusRule rule files)"
  if [ "${#rules[@]}" -lt "${expect[PrometheusRuleFile]:-0}" ]; then
    echo "FAIL  expected at least ${expect[PrometheusRuleFile]} PrometheusRule rule file(s), checked ${#rules[@]}"
    failed=1
  fi

  echo "==> amtool check-config"
  local -a configs=("$out"/amtool/*.yaml)
  if [ ${#configs[@]} -gt 0 ]; then
    "$BIN/amtool" check-config "${configs[@]}" || failed=1
  fi
  echo "amtool: checked ${#configs[@]} objects (Alertmanager configurations)"
  if [ "${#configs[@]}" -lt "${expect[AlertmanagerConfig]:-0}" ]; then
    echo "FAIL  expected at least ${expect[AlertmanagerConfig]} Alertmanager configuration(s), checked ${#configs[@]}"
    failed=1
  fi
  return $failed
}

# Runs a command that must fail; prints its output indented.
must_fail() {
  local what="$1"; shift
  local log; log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    sed 's/^/    | /' "$log"
    echo "SELF-TEST FAIL: $what passed, but must be rejected"
    rm -f "$log"
    return 1
  fi
  grep -E 'FAIL|Error|error|FAILED|checked|^ +- ' "$log" | head -20 | sed 's/^/    | /'
  echo "self-test: $what rejected, as it must be"
  rm -f "$log"
}

self_test() {
  local passed=0 failed=0
  t() {
    local name="$1"; shift
    echo
    echo "--> $name"
    if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "NOT OK: $name"; fi
  }
  local v="$BIN/k8s-validate"
  local groups=$REQUIRED_GROUPS
  t "valid samples pass the CRD schemas" "$v" --crds "$CRD_DIR" --require-crd "$groups" \
    --expect NodePool=1 --expect EC2NodeClass=1 --expect PrometheusRule=1 --expect Schedule=1 "$TESTDATA/valid"
  t "invalid samples are each rejected for their stated reason" "$v" --quiet --crds "$CRD_DIR" --expect-invalid \
    --expect NodePool=1 --expect EC2NodeClass=1 --expect PrometheusRule=1 --expect Schedule=1 "$TESTDATA/invalid"
  t "an object of a required group without its CRD is rejected" must_fail "a NodePool with only the Velero CRD loaded" \
    "$v" --crds "$CRD_DIR/velero" --require-crd '*' "$TESTDATA/valid/karpenter.yaml"
  t "promtool accepts a valid rule file" "$BIN/promtool" check rules --lint-fatal "$TESTDATA/promtool/valid.rules.yaml"
  t "promtool rejects a PromQL syntax error" must_fail "invalid-promql.rules.yaml" \
    "$BIN/promtool" check rules "$TESTDATA/promtool/invalid-promql.rules.yaml"
  t "promtool rejects a broken annotation template" must_fail "invalid-template.rules.yaml" \
    "$BIN/promtool" check rules "$TESTDATA/promtool/invalid-template.rules.yaml"
  t "amtool accepts a valid config" "$BIN/amtool" check-config "$TESTDATA/amtool/valid.yaml"
  t "amtool rejects an undefined receiver" must_fail "invalid-undefined-receiver.yaml" \
    "$BIN/amtool" check-config "$TESTDATA/amtool/invalid-undefined-receiver.yaml"
  t "amtool rejects an unknown field" must_fail "invalid-unknown-field.yaml" \
    "$BIN/amtool" check-config "$TESTDATA/amtool/invalid-unknown-field.yaml"
  t "a synthesized sample template passes end to end (tokens replaced, chart values rendered)" \
    env -u K8S_VALIDATE_EXPECT bash "$SELF" --skip-setup --out "$CACHE/self-test/sample" --cdk-out "$TESTDATA/templates"
  t "an EKS cluster without Karpenter objects fails (no silently empty run)" must_fail "templates-no-karpenter" \
    env -u K8S_VALIDATE_EXPECT bash "$SELF" --skip-setup --out "$CACHE/self-test/no-karpenter" --cdk-out "$TESTDATA/templates-no-karpenter"
  echo
  echo "self-test: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
}

CDK_OUT=()
EXPECT=()
AUTO_EXPECT=1
SELF_TEST=0
SKIP_SETUP=0
SETUP_ONLY=0
OUT=$CACHE/out
while [ $# -gt 0 ]; do
  case "$1" in
    --cdk-out) CDK_OUT+=("$2"); shift 2 ;;
    --expect) EXPECT+=("$2"); shift 2 ;;
    --no-auto-expect) AUTO_EXPECT=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    --self-test) SELF_TEST=1; shift ;;
    --skip-setup) SKIP_SETUP=1; shift ;;
    --setup-only) SETUP_ONLY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ ${#CDK_OUT[@]} -gt 0 ] || CDK_OUT=(cdk.out)

started=$(date +%s)
[ "$SKIP_SETUP" = 1 ] || setup
if [ "$SETUP_ONLY" = 1 ]; then
  :
elif [ "$SELF_TEST" = 1 ]; then
  self_test || { echo "validate-k8s --self-test: FAILED after $(( $(date +%s) - started ))s"; exit 1; }
else
  for d in "${CDK_OUT[@]}"; do
    [ -d "$d" ] || { echo "ERROR: $d not found: synthesize first (npm run reference)" >&2; exit 1; }
  done
  if ! check_templates "$OUT" "${CDK_OUT[@]}"; then
    echo "validate-k8s: FAILED (see FAIL lines above) after $(( $(date +%s) - started ))s"
    exit 1
  fi
fi
echo "validate-k8s: done in $(( $(date +%s) - started ))s"
