#!/usr/bin/env bash
# Check the application-delivery examples with upstream tools:
#  - every workflow of examples/github-actions/ with actionlint (built with
#    `go install` at a pinned version, checked by the Go checksum database;
#    it runs shellcheck on the `run:` scripts when shellcheck is installed);
#  - the example scripts of examples/delivery/ with `bash -n` (and shellcheck
#    when installed);
#  - the API's chart (examples/delivery/chart/api): `helm lint --strict` and
#    `helm template` for each stage's values and with the TargetGroupBinding
#    on, every rendered object validated by tools/k8s-validate (built-in kinds
#    strictly decoded into k8s.io/api, the TargetGroupBinding against the AWS
#    Load Balancer Controller's CRD), with the kinds the chart promises
#    expected; and the chart's promises checked on the rendered Deployment
#    (rolling update with maxUnavailable 0, readiness and liveness probes on
#    /health, the path the API load balancer checks, non-root, requests) and HPA (CPU,
#    autoscaling/v2).
#
# helm, the validator and the CRDs are the ones scripts/validate-k8s.sh builds
# and fetches (its --setup-only is run first; it uses its cache under .cache/).
#
# Usage: scripts/validate-delivery.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ACTIONLINT_PKG=github.com/rhysd/actionlint/cmd/actionlint
ACTIONLINT_VERSION=v1.7.12
ACTIONLINT_BIN=${ACTIONLINT_CACHE:-$ROOT/.cache/actionlint}/bin
K8S_CACHE=${K8S_VALIDATE_CACHE:-$ROOT/.cache/k8s-validate}
HELM=${HELM_CACHE:-$ROOT/.cache/helm}/bin/helm
VALIDATOR=$K8S_CACHE/bin/k8s-validate
CRDS=$K8S_CACHE/crds
CHART=$ROOT/examples/delivery/chart/api
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
failed=0

echo "==> tools (scripts/validate-k8s.sh --setup-only; actionlint $ACTIONLINT_VERSION)"
bash scripts/validate-k8s.sh --setup-only >"$OUT/setup.log" 2>&1 || { cat "$OUT/setup.log"; exit 1; }
if [ -x "$ACTIONLINT_BIN/actionlint" ] && go version -m "$ACTIONLINT_BIN/actionlint" | grep -qE "^[[:space:]]+mod[[:space:]].*[[:space:]]$ACTIONLINT_VERSION([[:space:]]|$)"; then
  echo "  actionlint $ACTIONLINT_VERSION: cached"
else
  mkdir -p "$ACTIONLINT_BIN"
  GOBIN="$ACTIONLINT_BIN" go install -trimpath "$ACTIONLINT_PKG@$ACTIONLINT_VERSION"
  echo "  actionlint $ACTIONLINT_VERSION: installed"
fi

echo "==> actionlint examples/github-actions/*.yml"
if "$ACTIONLINT_BIN/actionlint" examples/github-actions/*.yml; then echo "  ok"; else failed=1; fi
# The check can fail: a job without runs-on and an unknown expression context must be reported.
cat >"$OUT/broken.yml" <<'YAML'
on: push
jobs:
  deploy:
    steps:
      - run: echo "${{ secret.TOKEN }}"
YAML
if "$ACTIONLINT_BIN/actionlint" "$OUT/broken.yml" >/dev/null 2>&1; then echo "  FAIL: actionlint accepted a broken workflow" >&2; failed=1; fi

echo "==> example scripts (bash -n, shellcheck when installed)"
for script in examples/delivery/*.sh; do
  bash -n "$script" || failed=1
  if command -v shellcheck >/dev/null; then shellcheck "$script" || failed=1; fi
done

echo "==> the API's chart: helm lint, helm template, k8s-validate"
values=(--set-string image.repository=123456789012.dkr.ecr.us-east-1.amazonaws.com/innovate/backend --set-string image.tag=0123456789abcdef)
tgb=(--set targetGroupBinding.enabled=true
  --set-string targetGroupBinding.targetGroupArn=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef)
"$HELM" lint --strict "$CHART" "${values[@]}" >"$OUT/lint.log" 2>&1 || { cat "$OUT/lint.log"; failed=1; }
mkdir -p "$OUT/objects"
render() {
  local name=$1; shift
  "$HELM" template api "$CHART" --namespace backend "${values[@]}" "$@" >"$OUT/objects/$name.yaml"
}
render defaults
render development -f examples/delivery/values-development.yaml
render production -f examples/delivery/values-production.yaml
render with-binding "${tgb[@]}"
# A chart without the image must not render.
if "$HELM" template api "$CHART" >/dev/null 2>&1; then echo "  FAIL: the chart rendered without image.repository and image.tag" >&2; failed=1; fi
"$VALIDATOR" --crds "$CRDS" --require-crd elbv2.k8s.aws \
  --expect Deployment=4 --expect Service=4 --expect HorizontalPodAutoscaler=4 --expect PodDisruptionBudget=4 --expect TargetGroupBinding=1 \
  "$OUT/objects" || failed=1

# The validator can fail: a replica bound that is not an integer must be rejected.
mkdir -p "$OUT/broken"
"$HELM" template api "$CHART" --namespace backend "${values[@]}" --set-string autoscaling.maxReplicas=ten >"$OUT/broken/hpa.yaml"
if "$VALIDATOR" --quiet --crds "$CRDS" "$OUT/broken" >/dev/null 2>&1; then
  echo "  FAIL: k8s-validate accepted an HPA whose maxReplicas is a string" >&2; failed=1
fi

echo "==> the chart's promises on the rendered objects"
RENDERED="$OUT/objects" node -e '
const fs = require("fs");
const path = require("path");
const yaml = require("yaml");
const dir = process.env.RENDERED;
const problems = [];
for (const file of fs.readdirSync(dir)) {
  const objects = yaml.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf-8")).map((d) => d.toJSON()).filter(Boolean);
  const of = (kind) => objects.filter((o) => o.kind === kind);
  const check = (ok, what) => { if (!ok) problems.push(`${file}: ${what}`); };
  for (const d of of("Deployment")) {
    const spec = d.spec, pod = spec.template.spec, c = pod.containers[0];
    check(spec.strategy.type === "RollingUpdate" && spec.strategy.rollingUpdate.maxUnavailable === 0, "rolling update with maxUnavailable 0");
    check(spec.replicas === undefined, "no replicas (the HPA owns them)");
    // The API load balancer target group checks /health (the ApiLoadBalancer default) and the readiness
    // gate makes a pod Ready only once that check passes: the readiness probe must use the same path.
    check(c.readinessProbe && c.readinessProbe.httpGet.path === "/health", "readiness probe on /health (the load balancer health check path)");
    check(c.livenessProbe && c.livenessProbe.httpGet.path === "/health", "liveness probe on /health");
    check(pod.securityContext.runAsNonRoot === true && c.securityContext.allowPrivilegeEscalation === false
      && c.securityContext.capabilities.drop.includes("ALL") && pod.securityContext.seccompProfile.type === "RuntimeDefault", "non-root, restricted");
    check(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, "CPU and memory requests, a memory limit");
    check(pod.serviceAccountName === "backend" && pod.automountServiceAccountToken === false, "the namespace service account, no token");
  }
  for (const h of of("HorizontalPodAutoscaler")) {
    check(h.apiVersion === "autoscaling/v2" && h.spec.metrics.some((m) => m.type === "Resource" && m.resource.name === "cpu"), "HPA on CPU (autoscaling/v2)");
  }
  for (const s of of("Service")) check(s.metadata.name === "api" && s.spec.ports[0].port === 8080, "Service api on 8080 (the platform binding)");
}
if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
console.log("  ok");
' || failed=1

if [ "$failed" -ne 0 ]; then
  echo "delivery examples: FAILED" >&2
  exit 1
fi
echo "delivery examples: ok"
