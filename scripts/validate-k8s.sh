#!/usr/bin/env bash
# Check the Kubernetes artifacts the library generates with the upstream
# projects' own schemas and tools:
#  - every object of every aws-eks-v2 KubernetesResource manifest, and every
#    object every HelmChart custom resource renders with its real chart
#    (`helm template` with exactly the synthesized values, tokens replaced by
#    shaped placeholders; scripts/extract-k8s-objects.ts, scripts/helm-render.ts),
#    against the upstream CRDs (Karpenter, prometheus-operator, Velero, AWS Load
#    Balancer Controller) with kube-apiserver's validation code
#    (tools/k8s-validate); built-in kinds by strict decoding into k8s.io/api;
#  - every values key the library sets must be one the chart reads (values.yaml,
#    values.schema.json, templates; scripts/helm-values-check.ts); helm checks
#    vault's and velero's values.schema.json while rendering;
#  - the library's promises on the rendered workloads: non-root, CPU and memory
#    requests, system-node placement, the encrypted StorageClass and the stage
#    profile's sizes (scripts/k8s-promises.ts);
#  - checkov's Kubernetes checks on the rendered charts; each failure must be
#    explained (scripts/checkov-k8s.ts);
#  - every PrometheusRule's groups with `promtool check rules`;
#  - every Alertmanager configuration with `amtool check-config`.
#
# The CRDs come from the upstream release module zips on the Go module proxy,
# pinned by version AND sha256 (a mismatch fails), and Karpenter's charts from
# the same zip; the other charts are the shared archives (../shared/charts,
# HELM_CHARTS_DIR), checked against their SHA256SUMS (a mismatch or a missing
# directory fails). promtool, amtool and helm are built with `go install` at
# pinned versions (checked by the Go checksum database); the validator is built
# from tools/k8s-validate (go.sum); checkov comes from .venv
# (scripts/validate-requirements.txt). All of it is cached under
# .cache/k8s-validate/ and .cache/helm/ (gitignored by the `.cache` entry).
#
# Usage: scripts/validate-k8s.sh [--cdk-out DIR]... [--expect KIND[=N]]... [--no-auto-expect] [--no-policy-checks] [--out DIR]
#        scripts/validate-k8s.sh --self-test
#        scripts/validate-k8s.sh --setup-only
#   --cdk-out DIR     templates to read (recursively, so cdk.out covers cdk.out/phase2); default cdk.out
#   --expect KIND[=N] fail unless at least N (default 1) KIND objects are checked. KIND is an object kind
#                     (NodePool, EC2NodeClass, PrometheusRule, Schedule, ...), or PrometheusRuleFile
#                     (promtool) or AlertmanagerConfig (amtool). Also from K8S_VALIDATE_EXPECT (space-separated).
#   --no-auto-expect  drop the expectations implied by the templates: an EKS cluster implies NodePool and
#                     EC2NodeClass; a kube-prometheus-stack chart implies PrometheusRule, PrometheusRuleFile and
#                     AlertmanagerConfig; a velero chart implies Schedule.
#   --no-policy-checks skip the promises and checkov (for the self-test's sample, whose charts carry test values)
#   --setup-only      only fetch the CRDs and charts and build the validator, promtool, amtool and helm (to warm the cache early)
#   --self-test       prove the checks can fail: invalid samples under tools/k8s-validate/testdata/ must be
#                     rejected (each for its stated reason), valid ones and a sample template must pass, a
#                     template with an EKS cluster but no Karpenter objects must fail, and the Helm templates
#                     under test/tools/k8s-templates/ must fail for their reasons (a misspelled values key, a
#                     schema violation, a chart version without an archive, broken promises and checkov
#                     findings), as must a missing or altered chart archive.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
ROOT=$PWD
SELF=$ROOT/scripts/validate-k8s.sh

CACHE=${K8S_VALIDATE_CACHE:-$ROOT/.cache/k8s-validate}
CHECKOV=$ROOT/.venv/bin/checkov
TS_NODE="npx ts-node --transpile-only --project tsconfig.dev.json"
CRD_DIR=$CACHE/crds
BIN=$CACHE/bin
TESTDATA=$ROOT/tools/k8s-validate/testdata
# Templates of the Helm self-tests (test/tools/k8s-fixture.ts writes sample/; the others are written by hand).
HELM_TESTDATA=$ROOT/test/tools/k8s-templates

# Upstream CRDs: name | Go module | version | sha256 of the module zip | files in the module | charts in the module.
# The zip's sha256 was computed when the pin was set; bump version and sha256 together. The CRDs cover the
# kinds the library applies and the kinds the charts render (Prometheus, Alertmanager, ServiceMonitor,
# PodMonitor; Velero's storage locations). Karpenter's charts come from the same module (its chart is
# published to an OCI registry only; the module's charts/ holds its templates, the version stamped at
# release time: see stamp_karpenter_chart).
CRD_SOURCES=(
  "karpenter|github.com/aws/karpenter-provider-aws|v1.15.1|1217afce8edf7f1a50f099c5db08dc0a5dc9194fc01d13270cb58d8db9e1921e|pkg/apis/crds/karpenter.sh_nodepools.yaml pkg/apis/crds/karpenter.sh_nodeclaims.yaml pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml|charts/karpenter charts/karpenter-crd"
  "prometheus-operator|github.com/prometheus-operator/prometheus-operator|v0.93.1|dbb15cdd7cbefe81f24f012beac2fdf5f544cebd2563fd306bd4b9980d42e1a1|example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml example/prometheus-operator-crd/monitoring.coreos.com_prometheuses.yaml example/prometheus-operator-crd/monitoring.coreos.com_alertmanagers.yaml example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml|"
  "velero|github.com/vmware-tanzu/velero|v1.18.1|3bef0eb999abc7eaa0a6c0e7581f795e3b1c0a4d5bbfefa0bd337c5c864a9bda|config/crd/v1/bases/velero.io_schedules.yaml config/crd/v1/bases/velero.io_backupstoragelocations.yaml config/crd/v1/bases/velero.io_volumesnapshotlocations.yaml|"
)
# Groups whose objects must match a loaded CRD (an object of these groups without one is an error).
REQUIRED_GROUPS=karpenter.sh,karpenter.k8s.aws,monitoring.coreos.com,velero.io,elbv2.k8s.aws
# CRDs shipped in a verified chart archive: chart directory | file in it. The AWS Load Balancer Controller's
# (TargetGroupBinding, IngressClassParams) exist only there.
CHART_CRDS=(
  "aws-load-balancer-controller-3.2.2/aws-load-balancer-controller|crds/crds.yaml"
)

# Helm renders the charts (scripts/helm-render.ts). Built once with `go install` (checked by the Go checksum
# database) into .cache/helm/bin, which CI may keep between runs.
HELM_PKG=helm.sh/helm/v4/cmd/helm
HELM_VERSION=v4.3.2
HELM_BIN=${HELM_CACHE:-$ROOT/.cache/helm}/bin
# The upstream chart archives at the versions the library pins, with SHA256SUMS (README.md there says
# where each comes from). HELM_CHARTS_DIR overrides; else ../shared/charts next to this checkout, or next
# to the repository it was cloned from (a clean clone of /work/main finds /work/shared/charts).
CHARTS_DIR=""
CHART_CACHE=$CACHE/charts
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
  mkdir -p "$CRD_DIR" "$CACHE/zips" "$CHART_CACHE"
  local proxy; proxy=$(goproxy)
  local entry name module version sha files charts
  for entry in "${CRD_SOURCES[@]}"; do
    IFS='|' read -r name module version sha files charts <<<"$entry"
    local dir="$CRD_DIR/$name"
    # The stamp names what was taken from the zip, so adding a file re-extracts.
    local stamp="$sha $files $charts"
    if [ "$(cat "$dir/.sha256" 2>/dev/null)" = "$stamp" ]; then
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
    local c chart
    for c in $charts; do
      chart=$(basename "$c")
      local cdir="$CHART_CACHE/$chart-${version#v}"
      rm -rf "$cdir" "$CACHE/zips/unpacked" && mkdir -p "$cdir"
      unzip -q "$zip" "$module@$version/$c/*" -d "$CACHE/zips/unpacked"
      mv "$CACHE/zips/unpacked/$module@$version/$c" "$cdir/$chart"
      rm -rf "$CACHE/zips/unpacked"
      stamp_karpenter_chart "$cdir/$chart" "${version#v}"
    done
    rm -f "$zip"
    echo "$stamp" > "$dir/.sha256"
    echo "  $name $version: $(echo "$files" | wc -w) CRD file(s)${charts:+, chart(s) $charts}, zip sha256 verified"
  done
}

# Karpenter's release process stamps the chart: Chart.yaml version and appVersion, and the controller image
# tag and digest in values.yaml (the module's tree still names the previous release there). The digest of
# the released image is not in the module, so it is cleared: the image is named by tag only.
stamp_karpenter_chart() {
  local dir="$1" version="$2"
  sed -i -E "s/^version: .*/version: $version/; s/^appVersion: .*/appVersion: $version/" "$dir/Chart.yaml"
  if grep -q '^controller:' "$dir/values.yaml" 2>/dev/null; then
    # controller.image.tag / .digest: the only `tag:`/`digest:` keys at that depth (4 spaces) in the chart's values.
    if [ "$(grep -c '^    tag: ' "$dir/values.yaml")" != 1 ] || [ "$(grep -c '^    digest: ' "$dir/values.yaml")" != 1 ]; then
      echo "ERROR: $dir/values.yaml: controller.image.tag/digest are not where stamp_karpenter_chart expects them" >&2
      return 1
    fi
    sed -i -E "s/^(    tag: ).*/\1$version/; s/^(    digest: ).*/\1\"\"/" "$dir/values.yaml"
  fi
  grep -q "^version: $version\$" "$dir/Chart.yaml" || { echo "ERROR: could not stamp $dir/Chart.yaml with $version" >&2; return 1; }
}

# The shared chart archives: found, checked against SHA256SUMS (every archive listed there), unpacked once per
# checksum into $CHART_CACHE/<name>-<version>/<name>.
find_charts_dir() {
  local -a candidates=()
  if [ -n "${HELM_CHARTS_DIR:-}" ]; then
    candidates=("$HELM_CHARTS_DIR")
  else
    candidates=("$ROOT/../shared/charts")
    local origin; origin=$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)
    case "$origin" in
      ""|*://*|*@*:*) ;;
      *) candidates+=("$origin/../shared/charts") ;;
    esac
  fi
  local c
  for c in "${candidates[@]}"; do
    if [ -f "$c/SHA256SUMS" ]; then
      (cd "$c" && pwd)
      return 0
    fi
  done
  echo "ERROR: the upstream Helm chart archives were not found (looked for SHA256SUMS in: ${candidates[*]})." >&2
  echo "       They are test inputs kept next to the repository (../shared/charts); set HELM_CHARTS_DIR to their directory." >&2
  return 1
}

unpack_charts() {
  CHARTS_DIR=$(find_charts_dir) || return 1
  mkdir -p "$CHART_CACHE"
  local listed=0 sum file
  while read -r sum file; do
    [ -n "$file" ] || continue
    listed=$((listed + 1))
    file=${file#\*}
    local archive="$CHARTS_DIR/$file"
    [ -f "$archive" ] || { echo "ERROR: $file is listed in $CHARTS_DIR/SHA256SUMS but missing" >&2; return 1; }
    local got; got=$(sha256sum "$archive" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
      echo "ERROR: $archive sha256 is $got, SHA256SUMS pins $sum" >&2
      return 1
    fi
    local base=${file%.tgz}
    local dir="$CHART_CACHE/$base"
    if [ "$(cat "$dir/.sha256" 2>/dev/null)" = "$sum" ]; then continue; fi
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$archive" -C "$dir"
    # The archive must hold the chart it is named after, at that version.
    local chart=${base%-*}
    local version=${base##*-}
    if ! grep -q "^version: $version\$" "$dir/$chart/Chart.yaml" 2>/dev/null; then
      echo "ERROR: $file does not hold chart $chart version $version" >&2
      rm -rf "$dir"
      return 1
    fi
    echo "$sum" > "$dir/.sha256"
    echo "  $base: sha256 verified, unpacked"
  done < "$CHARTS_DIR/SHA256SUMS"
  [ "$listed" -gt 0 ] || { echo "ERROR: $CHARTS_DIR/SHA256SUMS lists no archive" >&2; return 1; }
  echo "  $listed chart archive(s) from $CHARTS_DIR match SHA256SUMS"
  local entry cdir cfile
  mkdir -p "$CRD_DIR/charts"
  for entry in "${CHART_CRDS[@]}"; do
    IFS='|' read -r cdir cfile <<<"$entry"
    [ -s "$CHART_CACHE/$cdir/$cfile" ] || { echo "ERROR: $cfile not in $cdir" >&2; return 1; }
    cp "$CHART_CACHE/$cdir/$cfile" "$CRD_DIR/charts/${cdir%%/*}.$(basename "$cfile")"
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
  local dir="$1" bin="$2" pkg="$3" version="$4"; shift 4
  if [ -x "$dir/$bin" ] && go version -m "$dir/$bin" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]].*[[:space:]]$version([[:space:]]|$)"; then
    echo "  $bin $version: cached"
    return
  fi
  mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath "$@" "$pkg@$version"
  echo "  $bin $version: installed"
}

setup() {
  command -v go >/dev/null || { echo "ERROR: go is not installed" >&2; exit 1; }
  echo "==> upstream CRDs (Go module proxy, sha256-pinned)"
  timed "CRDs" fetch_crds
  echo "==> validator (tools/k8s-validate)"
  timed "validator build" build_validator
  echo "==> promtool $PROMTOOL_VERSION, amtool $AMTOOL_VERSION (go install)"
  timed "promtool" install_tool "$BIN" promtool "$PROMTOOL_PKG" "$PROMTOOL_VERSION" -tags remove_all_sd
  timed "amtool" install_tool "$BIN" amtool "$AMTOOL_PKG" "$AMTOOL_VERSION"
  echo "==> helm $HELM_VERSION (go install, into $HELM_BIN)"
  timed "helm" install_tool "$HELM_BIN" helm "$HELM_PKG" "$HELM_VERSION"
  echo "==> Helm charts (shared archives checked against SHA256SUMS)"
  timed "charts" unpack_charts
  echo "==> checkov (.venv)"
  timed "checkov" ensure_checkov
}

ensure_checkov() {
  # scripts/ensure-venv.sh installs the pinned validators (scripts/validate-requirements.txt) when needed.
  bash scripts/ensure-venv.sh
  [ -x "$CHECKOV" ] || { echo "ERROR: $CHECKOV not found after scripts/ensure-venv.sh" >&2; return 1; }
  echo "  checkov $("$CHECKOV" --version 2>/dev/null)"
}

# Runs the checks on templates; exit status 1 on any failure.
check_templates() {
  local out="$1"; shift
  local -a dirs=("$@")
  local failed=0
  echo "==> extract Kubernetes objects from ${dirs[*]}, render every Helm release with its chart (helm template)"
  # A release that does not render is a failure; the others are still checked.
  $TS_NODE scripts/extract-k8s-objects.ts --out "$out" --helm "$HELM_BIN/helm" --charts "$CHART_CACHE" "${dirs[@]}" || failed=1
  [ -f "$out/summary.json" ] || return 1

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
      // Clusters without a single Helm release: extraction broke, and every chart check would pass on nothing.
      if (s.eksClusters > 0 && charts.length === 0) { console.error("no Helm release found for " + s.eksClusters + " EKS cluster(s)"); process.exit(1); }
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

  echo "==> values keys the charts do not read (values.yaml, values.schema.json, templates; scripts/helm-values-check.ts)"
  $TS_NODE scripts/helm-values-check.ts "$out" || failed=1

  echo "==> CRD schemas + CEL rules (k8s-validate; required CRDs for $REQUIRED_GROUPS), manifests and rendered charts"
  "$BIN/k8s-validate" --quiet --crds "$CRD_DIR" --require-crd "$REQUIRED_GROUPS" "${expect_args[@]}" "$out/objects" || failed=1

  if [ "$POLICY_CHECKS" = 1 ]; then
    echo "==> the library's promises on the rendered workloads (scripts/k8s-promises.ts)"
    $TS_NODE scripts/k8s-promises.ts "$out" || failed=1
    echo "==> checkov --framework kubernetes on the rendered charts (explained failures: scripts/checkov-k8s.ts)"
    $TS_NODE scripts/checkov-k8s.ts "$out" "$CHECKOV" || failed=1
  else
    echo "==> promises and checkov: not run (--no-policy-checks)"
  fi

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

# Runs a command that must fail, and whose output must match every extended regex given before `--`.
must_fail_with() {
  local what="$1"; shift
  local -a patterns=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local log; log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    sed 's/^/    | /' "$log" | tail -40
    echo "SELF-TEST FAIL: $what passed, but must be rejected"
    rm -f "$log"
    return 1
  fi
  local p missing=0
  for p in "${patterns[@]}"; do
    if grep -qE -- "$p" "$log"; then
      grep -E -- "$p" "$log" | head -2 | cut -c1-220 | sed 's/^/    | /'
    else
      echo "    missing: $p"
      missing=1
    fi
  done
  rm -f "$log"
  if [ "$missing" = 1 ]; then
    echo "SELF-TEST FAIL: $what was rejected, but not (only) for the expected reason(s)"
    return 1
  fi
  echo "self-test: $what rejected for the expected reason(s)"
}

# A copy of the shared charts with one archive changed by a byte (for the checksum self-test).
tampered_charts() {
  local dir="$CACHE/self-test/tampered-charts"
  rm -rf "$dir" && mkdir -p "$dir"
  local src; src=$(find_charts_dir) || return 1
  cp "$src"/SHA256SUMS "$src"/*.tgz "$dir"/
  chmod u+w "$dir"/*
  printf 'x' >> "$dir/velero-12.1.0.tgz"
  echo "$dir"
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
  t "the validator's Go tests (Velero's cron parser against test/fixtures/velero-cron-cases.json)" \
    bash -c 'cd "$1/tools/k8s-validate" && go test -mod=readonly -count=1 ./...' _ "$ROOT"
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
  # The sample's charts carry test values, not the library's: the library's promises and checkov apply to
  # the reference apps (and are proven to fail below).
  t "a synthesized sample template passes end to end (tokens replaced, charts rendered with helm)" \
    env -u K8S_VALIDATE_EXPECT bash "$SELF" --skip-setup --no-policy-checks --out "$CACHE/self-test/sample" --cdk-out "$HELM_TESTDATA/sample"
  t "misspelled values keys are caught (no schema: kube-prometheus-stack; a schema without additionalProperties: velero)" \
    must_fail_with "misspelled-key" \
      'FAIL  unknown values key kube-prometheus-stack 88\.5\.3: prometheus\.prometheusSpec\.retentionSise ' \
      'FAIL  unknown values key velero 12\.1\.0: snapshotEnabled ' -- \
      bash "$SELF" --skip-setup --no-auto-expect --no-policy-checks --out "$CACHE/self-test/misspelled-key" --cdk-out "$HELM_TESTDATA/misspelled-key"
  t "helm enforces a chart's values.schema.json (velero snapshotsEnabled: \"yes\")" \
    must_fail_with "schema-violation" "FAIL  render HelmSchemaViolation/Backup .*values don't meet the specifications of the schema" -- \
      bash "$SELF" --skip-setup --no-auto-expect --no-policy-checks --out "$CACHE/self-test/schema-violation" --cdk-out "$HELM_TESTDATA/schema-violation"
  t "a chart version without a verified archive fails (not skipped)" \
    must_fail_with "missing-chart" 'FAIL  render HelmMissingChart/Monitoring .*no verified chart kube-prometheus-stack 80\.0\.0' -- \
      bash "$SELF" --skip-setup --no-auto-expect --no-policy-checks --out "$CACHE/self-test/missing-chart" --cdk-out "$HELM_TESTDATA/missing-chart"
  t "rendered workloads that break the library's promises, and unexplained checkov findings, fail" \
    must_fail_with "broken-promises" \
      'FAIL  promise non-root: aws-load-balancer-controller ' \
      'FAIL  promise requests: aws-load-balancer-controller ' \
      'FAIL  promise placement: aws-load-balancer-controller .*does not tolerate .*does not select the system nodes' \
      'FAIL  promise storage: kube-prometheus-stack Prometheus/.*storageClassName "gp2"' \
      'FAIL  promise storage: kube-prometheus-stack Prometheus/.*is 5Gi, the production profile says 100Gi' \
      'FAIL  promise replicas: kube-prometheus-stack Prometheus/.*replicas is 1, the production profile says 2' \
      'FAIL  checkov CKV_K8S_13 aws-load-balancer-controller' -- \
      bash "$SELF" --skip-setup --no-auto-expect --out "$CACHE/self-test/broken-promises" --cdk-out "$HELM_TESTDATA/broken-promises"
  t "missing chart archives fail setup with a clear message" \
    must_fail_with "no charts directory" 'Helm chart archives were not found' -- \
      env HELM_CHARTS_DIR="$CACHE/self-test/no-such-charts" bash "$SELF" --setup-only
  t "a chart archive that does not match SHA256SUMS fails setup" \
    must_fail_with "tampered archive" 'velero-12\.1\.0\.tgz sha256 is [0-9a-f]+, SHA256SUMS pins' -- \
      env HELM_CHARTS_DIR="$(tampered_charts)" bash "$SELF" --setup-only
  t "an EKS cluster without Karpenter objects fails (no silently empty run)" must_fail "templates-no-karpenter" \
    env -u K8S_VALIDATE_EXPECT bash "$SELF" --skip-setup --out "$CACHE/self-test/no-karpenter" --cdk-out "$TESTDATA/templates-no-karpenter"
  echo
  echo "self-test: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
}

CDK_OUT=()
EXPECT=()
AUTO_EXPECT=1
POLICY_CHECKS=1
SELF_TEST=0
SKIP_SETUP=0
SETUP_ONLY=0
OUT=$CACHE/out
while [ $# -gt 0 ]; do
  case "$1" in
    --cdk-out) CDK_OUT+=("$2"); shift 2 ;;
    --expect) EXPECT+=("$2"); shift 2 ;;
    --no-auto-expect) AUTO_EXPECT=0; shift ;;
    --no-policy-checks) POLICY_CHECKS=0; shift ;;
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
