#!/usr/bin/env bash
# Creates .venv, or brings it up to date, from the pinned
# scripts/validate-requirements.txt: the template validators (cfn-lint,
# checkov) for scripts/validate.sh and moto's server mode (the Secrets Manager
# emulator) for the handler tests in test/handlers/. Installs only when the
# requirements file changed since the last install. Callers may run at the same
# time (jest workers, validate): a lock serializes them. Exits non-zero when
# the venv cannot be created, so callers fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=scripts/validate-requirements.txt
stamp="$venv/.requirements.sha"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
mkdir -p "$venv"
exec 9>"$venv/.lock"
flock 9
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the pinned Python tools into $venv ($requirements)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi
