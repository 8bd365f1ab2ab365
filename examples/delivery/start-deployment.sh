#!/usr/bin/env bash
# Start a deployment of the API and wait for its outcome, from a GitHub
# Actions job holding the environment's deploy role: upload this directory
# (deploy.sh, the chart, the stage values) as the deploy bundle, start the
# environment's ApplicationDelivery project with the image tag, follow the
# build until it ends. Exit 0 only when the build SUCCEEDED (rollout and
# smoke tests passed); otherwise non-zero (the build rolled back).
#
# Usage: start-deployment.sh OUTPUTS_JSON OPERATIONS_STACK IMAGE_REPOSITORY IMAGE_TAG
#   OUTPUTS_JSON      the file `cdk deploy --outputs-file` wrote
#   OPERATIONS_STACK  the platform's operations stack, e.g. InnovateDevelopmentOperations
#                     (its outputs DeliveryProjectName and DeliveryBundleBucketName)
#   IMAGE_REPOSITORY  the API's repository URI, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/innovate/backend
#   IMAGE_TAG         the tag just pushed (the git SHA)
# DEPLOYMENT_TIMEOUT_SECONDS (default 2400) bounds the wait.
set -euo pipefail

if [ $# -ne 4 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
outputs=$1 stack=$2 repository=$3 tag=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
project=$(jq -er --arg s "$stack" '.[$s].DeliveryProjectName' "$outputs")
bucket=$(jq -er --arg s "$stack" '.[$s].DeliveryBundleBucketName' "$outputs")

bundle=$(mktemp -d)/bundle.zip
(cd "$here" && zip -qr "$bundle" deploy.sh chart values-*.yaml)
key="bundles/$tag.zip"
aws s3 cp --no-progress "$bundle" "s3://$bucket/$key"

build=$(aws codebuild start-build \
  --project-name "$project" \
  --source-location-override "$bucket/$key" \
  --environment-variables-override \
    "name=IMAGE_TAG,value=$tag,type=PLAINTEXT" \
    "name=IMAGE_REPOSITORY,value=$repository,type=PLAINTEXT" \
  --query build.id --output text)
echo "started $build"

deadline=$(( $(date +%s) + ${DEPLOYMENT_TIMEOUT_SECONDS:-2400} ))
while :; do
  status=$(aws codebuild batch-get-builds --ids "$build" --query 'builds[0].buildStatus' --output text)
  case "$status" in
    IN_PROGRESS) ;;
    SUCCEEDED) echo "deployment $build succeeded"; exit 0 ;;
    *) echo "deployment $build ended $status (rolled back; see the build's log group)" >&2; exit 1 ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "deployment $build still running after ${DEPLOYMENT_TIMEOUT_SECONDS:-2400}s; see CodeBuild" >&2
    exit 1
  fi
  sleep 15
done
