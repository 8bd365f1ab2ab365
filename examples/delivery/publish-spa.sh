#!/usr/bin/env bash
# Publish the React SPA to the WebFrontend bucket and invalidate index.html
# on its CloudFront distribution, with the environment's deploy role (the
# platform grants it upload and invalidation: WebFrontend.grantDeploy).
#
# Usage: publish-spa.sh OUTPUTS_JSON ENVIRONMENT_STACK BUILD_DIR HASHED_DIR
#   OUTPUTS_JSON       the file `cdk deploy --outputs-file` wrote
#   ENVIRONMENT_STACK  the platform's environment stack, e.g. InnovateDevelopment
#                      (its outputs WebBucketName and WebDistributionId)
#   BUILD_DIR          where `npm run build` wrote the app (build/ for Create React App, dist/ for Vite)
#   HASHED_DIR         its directory of content-hashed files (static/ for Create React App, assets/ for Vite)
set -euo pipefail

if [ $# -ne 4 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
outputs=$1 stack=$2 build=$3 hashed=$4
bucket=$(jq -er --arg s "$stack" '.[$s].WebBucketName' "$outputs")
distribution=$(jq -er --arg s "$stack" '.[$s].WebDistributionId' "$outputs")

# Content-hashed assets first, cached for a year; then every other file
# (favicon, manifest, robots.txt...) revalidated on each visit; index.html
# last, so no served page refers to a file not uploaded yet. Nothing is
# deleted: open sessions keep loading the previous build's chunks (the
# bucket's lifecycle expires replaced versions).
aws s3 sync "$build/$hashed/" "s3://$bucket/$hashed/" --cache-control 'public,max-age=31536000,immutable'
aws s3 sync "$build/" "s3://$bucket/" --exclude "$hashed/*" --exclude index.html --cache-control 'no-cache'
aws s3 cp "$build/index.html" "s3://$bucket/index.html" --cache-control 'no-cache'
aws cloudfront create-invalidation --distribution-id "$distribution" --paths /index.html
