#!/usr/bin/env bash
# Deploy the API into the cluster: the script an ApplicationDelivery project
# (CodeBuild in the cluster's VPC) runs from the deploy bundle, after its
# build spec has pointed kubectl at the cluster.
#
#   1. helm upgrade --install --atomic --wait: a rolling update (maxUnavailable 0)
#      that waits for every new pod to be Ready; helm undoes a rollout that
#      does not become ready in ROLLOUT_TIMEOUT.
#   2. Smoke tests through the Service: GET the health endpoint the API load
#      balancer checks (and the readiness endpoint when it differs), with
#      kubectl port-forward to svc/<service>, from the build.
#   3. When a smoke test fails: helm rollback to the previous revision (or
#      uninstall a first release), and exit non-zero, so the build FAILS and
#      the failure is notified (EventBridge -> SNS -> Slack).
#
# Inputs (environment): IMAGE_TAG (the workflow's --environment-variables-override),
# IMAGE_REPOSITORY, and from the project CLUSTER_NAME, DEPLOY_NAMESPACES,
# PLATFORM_STAGE. Optional: API_NAMESPACE (backend), RELEASE (api),
# API_SERVICE (api), API_PORT (8080), HEALTH_PATH (/health, the load balancer's
# health check path; InnovatePlatform sets it when given api.healthCheckPath),
# READY_PATH (HEALTH_PATH; tested too when it differs), ROLLOUT_TIMEOUT (10m), SMOKE_RETRIES (10), HELM_VERSION,
# KUBECTL_VERSION (tools installed when the image lacks them).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${IMAGE_TAG:?IMAGE_TAG is required (the image tag to deploy, e.g. the git SHA)}"
: "${IMAGE_REPOSITORY:?IMAGE_REPOSITORY is required (the API repository URI)}"
: "${DEPLOY_NAMESPACES:?DEPLOY_NAMESPACES is required (set by the delivery project)}"
NAMESPACE=${API_NAMESPACE:-backend}
RELEASE=${RELEASE:-api}
SERVICE=${API_SERVICE:-api}
PORT=${API_PORT:-8080}
HEALTH_PATH=${HEALTH_PATH:-/health}
READY_PATH=${READY_PATH:-$HEALTH_PATH}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}
SMOKE_RETRIES=${SMOKE_RETRIES:-10}
LOCAL_PORT=${LOCAL_PORT:-18080}
HELM_VERSION=${HELM_VERSION:-v3.19.2}
KUBECTL_VERSION=${KUBECTL_VERSION:-v1.35.0}
CHART=$HERE/chart/api
STAGE_VALUES=$HERE/values-${PLATFORM_STAGE:-development}.yaml

log() { echo "[deploy] $*"; }

# The build role may edit these namespaces only: fail early and clearly.
case ",$DEPLOY_NAMESPACES," in
  *",$NAMESPACE,"*) ;;
  *) echo "[deploy] namespace $NAMESPACE is not one this delivery deploys into ($DEPLOY_NAMESPACES)" >&2; exit 2 ;;
esac

# helm and kubectl: the image's when present, else the pinned versions, each
# checked against the checksum its project publishes next to it.
install_tools() {
  local arch bin
  case "$(uname -m)" in aarch64 | arm64) arch=arm64 ;; *) arch=amd64 ;; esac
  bin=$(mktemp -d)
  if ! command -v helm >/dev/null; then
    log "installing helm $HELM_VERSION"
    curl -fsSLo "$bin/helm.tgz" "https://get.helm.sh/helm-$HELM_VERSION-linux-$arch.tar.gz"
    echo "$(curl -fsSL "https://get.helm.sh/helm-$HELM_VERSION-linux-$arch.tar.gz.sha256")  $bin/helm.tgz" | sha256sum -c -
    tar -xzf "$bin/helm.tgz" -C "$bin" --strip-components=1 "linux-$arch/helm"
  fi
  if ! command -v kubectl >/dev/null; then
    log "installing kubectl $KUBECTL_VERSION"
    curl -fsSLo "$bin/kubectl" "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/$arch/kubectl"
    echo "$(curl -fsSL "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/$arch/kubectl.sha256")  $bin/kubectl" | sha256sum -c -
    chmod +x "$bin/kubectl"
  fi
  export PATH="$PATH:$bin"
}

# GET one endpoint of the API through its Service, with retries while the
# port-forward starts.
probe() {
  local path=$1
  curl --fail --silent --show-error --max-time 5 \
    --retry "$SMOKE_RETRIES" --retry-delay 2 --retry-connrefused --retry-all-errors \
    -o /dev/null "http://127.0.0.1:$LOCAL_PORT$path"
}

smoke_tests() {
  local pf status=0
  kubectl -n "$NAMESPACE" port-forward "svc/$SERVICE" "$LOCAL_PORT:$PORT" >/tmp/port-forward.log 2>&1 &
  pf=$!
  local paths=("$HEALTH_PATH")
  if [ "$READY_PATH" != "$HEALTH_PATH" ]; then paths+=("$READY_PATH"); fi
  for path in "${paths[@]}"; do
    if probe "$path"; then
      log "smoke test $path: OK"
    else
      log "smoke test $path: FAILED"
      status=1
      break
    fi
  done
  kill "$pf" 2>/dev/null || true
  wait "$pf" 2>/dev/null || true
  return "$status"
}

roll_back() {
  local revisions
  revisions=$(helm history "$RELEASE" -n "$NAMESPACE" --max 2 -o json | grep -o '"revision":' | wc -l)
  if [ "$revisions" -ge 2 ]; then
    log "rolling back $RELEASE to its previous revision"
    helm rollback "$RELEASE" -n "$NAMESPACE" --wait --timeout "$ROLLOUT_TIMEOUT"
  else
    log "first release of $RELEASE failed its smoke tests: uninstalling it"
    helm uninstall "$RELEASE" -n "$NAMESPACE" --wait
  fi
}

install_tools
values=(--set-string "image.repository=$IMAGE_REPOSITORY" --set-string "image.tag=$IMAGE_TAG")
if [ -f "$STAGE_VALUES" ]; then values=(-f "$STAGE_VALUES" "${values[@]}"); fi

log "deploying $IMAGE_REPOSITORY:$IMAGE_TAG as $RELEASE in $NAMESPACE on ${CLUSTER_NAME:-the current cluster}"
helm upgrade --install "$RELEASE" "$CHART" -n "$NAMESPACE" "${values[@]}" \
  --atomic --wait --timeout "$ROLLOUT_TIMEOUT" --history-max 10

if smoke_tests; then
  log "deployed $IMAGE_TAG"
  exit 0
fi
roll_back
log "smoke tests failed for $IMAGE_TAG: rolled back"
exit 1
