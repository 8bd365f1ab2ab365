#!/usr/bin/env bash
# The starter (examples/starter/typescript and examples/starter/python) as an
# adopter gets it: each copied into a fresh directory outside the repository,
# the library installed from the packages the build wrote into dist/ (the
# starter READMEs' install-from-source commands), and with no AWS account
# (credentials and the instance metadata service switched off):
# 1. `cdk synth` on cdk.json as shipped fails with exactly one line per
#    placeholder, each naming it and what to put there, and no stack trace;
# 2. each placeholder left unfilled alone (the others given with -c) is
#    exactly one such line;
# 3. with the placeholders filled in cdk.json, the starter's own tests
#    (jest / pytest: what it deploys, the four cdk-nag packs clean) pass and
#    `cdk synth` succeeds with no unacknowledged finding of the packs;
# 4. production (-c stage=production), whose bastion AMI is looked up once
#    with credentials, stops with exactly one line saying so and naming
#    bastionAmi, and synthesizes clean with -c bastionAmi=ami-....
# Run after `npx projen package:js` and `npx projen package:python` (or
# package-all). STARTER_DIST overrides where the packages are read from
# (default dist/). npm and pip reuse their caches (--prefer-offline).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="${STARTER_DIST:-$root/dist}"
tarball=$(ls "$dist"/js/*.jsii.tgz 2>/dev/null | head -1)
wheel=$(ls "$dist"/python/*.whl 2>/dev/null | head -1)
[ -n "$tarball" ] || { echo "no npm package in $dist/js: run npx projen package:js first" >&2; exit 1; }
[ -n "$wheel" ] || { echo "no wheel in $dist/python: run npx projen package:python first" >&2; exit 1; }

# No AWS account: no credentials from the environment or files, no instance
# metadata. (With credentials the CLI would set CDK_DEFAULT_ACCOUNT, and make
# the context lookups the app asks for.)
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE CDK_DEFAULT_ACCOUNT
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_VERSION_CHECK=true

work=$(mktemp -d "${TMPDIR:-/tmp}/starter-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The placeholders the starter READMEs name, and the test values filled in.
placeholders=(account domainName hostedZoneId alarmEmail)
declare -A value=(
  [account]=111122223333
  # As the README's lookup commands print them (the starter takes them so).
  [domainName]=example.com.
  [hostedZoneId]=/hostedzone/Z0123456789ABCDEFGHIJ
  [alarmEmail]=oncall@example.com
)

failures=0
fail() { echo "starter-check: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "starter-check: ok: $*"; }

# A copy of examples/starter/<language>, without anything a local run left.
copy_starter() {
  tar -C "$root/examples/starter" --exclude=node_modules --exclude=cdk.out --exclude=.venv \
    --exclude=__pycache__ --exclude=.pytest_cache -cf - "$1" | tar -C "$work" -xf -
}

# expect_placeholder_errors LANGUAGE CDK_COMMAND CDK_ARGS... -- KEY...
# `cdk synth` fails with exactly one `context: fill in "<key>"` line per
# KEY (saying what to put there, with an example), no other line of the
# app's, and no stack trace.
expect_placeholder_errors() {
  local language="$1" cdk="$2"; shift 2
  local args=()
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  local keys=("$@") out="$work/$language-synth-errors.txt" rc=0
  $cdk synth -q --no-notices "${args[@]}" > "$out" 2>&1 || rc=$?
  local what="unfilled ${keys[*]}"
  if [ "$rc" -eq 0 ]; then
    fail "$language: cdk synth with $what succeeded"; cat "$out"; return
  fi
  local lines; lines=$(grep -c '^context: ' "$out" || true)
  if [ "$lines" -ne "${#keys[@]}" ]; then
    fail "$language: cdk synth with $what printed $lines context error line(s), not ${#keys[@]}"; cat "$out"; return
  fi
  local key
  for key in "${keys[@]}"; do
    if [ "$(grep -cE "^context: fill in \"$key\" \(cdk\.json or -c\): .+, e\.g\. \".+\"\.\$" "$out" || true)" -ne 1 ]; then
      fail "$language: no single error saying what to put in \"$key\""; cat "$out"; return
    fi
  done
  # Besides those lines only the CLI's own closing line ("...: Subprocess exited with error 1").
  if grep -vE '^context: |Subprocess exited with error 1$|^$' "$out" | grep -q .; then
    fail "$language: cdk synth with $what printed more than the errors (a stack trace?)"; cat "$out"; return
  fi
  pass "$language: cdk synth with $what: exactly ${#keys[@]} error line(s) naming them"
}

# Every placeholder unfilled (cdk.json as shipped), then each one alone.
check_placeholders() {
  local language="$1" cdk="$2"
  expect_placeholder_errors "$language" "$cdk" -- "${placeholders[@]}"
  # The runs of one placeholder each need no type check of a TypeScript app
  # (tsc and the tests do it; ts-node honours this variable).
  local TS_NODE_TRANSPILE_ONLY=true
  export TS_NODE_TRANSPILE_ONLY
  local key other
  for key in "${placeholders[@]}"; do
    local filled=()
    for other in "${placeholders[@]}"; do
      [ "$other" = "$key" ] || filled+=(-c "$other=${value[$other]}")
    done
    expect_placeholder_errors "$language" "$cdk" "${filled[@]}" -- "$key"
  done
}

# Fill the placeholders in cdk.json, as the README asks.
fill_placeholders() {
  local args=() key
  for key in "${placeholders[@]}"; do args+=("$key=${value[$key]}"); done
  python3 - "$@" "${args[@]}" <<'EOF'
import json, sys
with open("cdk.json") as f:
    config = json.load(f)
for pair in sys.argv[1:]:
    key, _, val = pair.partition("=")
    config["context"][key] = val
with open("cdk.json", "w") as f:
    json.dump(config, f, indent=2)
EOF
}

# `cdk synth` with the placeholders filled: succeeds, every stack written,
# the four packs at synthesis without an unacknowledged finding.
check_synth() {
  local language="$1" cdk="$2"
  local log="$work/$language-synth.txt"
  if ! $cdk synth -q --no-notices > "$log" 2>&1; then
    fail "$language: cdk synth with the placeholders filled failed"; tail -40 "$log"; return
  fi
  # CDK writes the report whenever a validation plugin is registered, and
  # lists in it only the plugins that failed or found something (the
  # starter's tests prove that the four packs run and report what they find).
  local findings
  findings=$(python3 - <<'EOF'
import json
report = json.load(open("cdk.out/validation-report.json"))
for p in report["pluginReports"]:
    print(f'{p["pluginName"]}: {p.get("conclusion")}')
    for v in p["violations"]:
        for c in v["violatingConstructs"]:
            print(f'  {v["ruleName"]} at {c["constructPath"]}')
EOF
) || { fail "$language: no readable cdk.out/validation-report.json: the packs did not run"; return; }
  if [ -n "$findings" ]; then
    fail "$language: the packs at synthesis:"; echo "$findings"; return
  fi
  local stacks
  stacks=$(cd cdk.out && ls -- *.template.json | sed 's/\.template\.json$//' | tr '\n' ' ')
  pass "$language: cdk synth with no AWS account: ${stacks}and the packs found nothing"
}

# Production with no AWS account: the bastion's AMI (looked up once with
# credentials) is exactly one line naming bastionAmi, and nothing else of
# the app's (the CLI's "Performing Policy Validations" aside); with
# -c bastionAmi=ami-... it synthesizes clean.
check_production() {
  local language="$1" cdk="$2" out="$work/$1-production.txt" rc=0
  $cdk synth -q --no-notices -c stage=production > "$out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    fail "$language: production synth with no AWS account and no bastionAmi succeeded"; cat "$out"; return
  fi
  if [ "$(grep -cE '^context: "stage" is "production": the first cdk synth needs AWS credentials of account 111122223333 to look up the bastion.s AMI .*"bastionAmi"' "$out" || true)" -ne 1 ] \
    || grep -vE '^context: "stage" is "production": |Subprocess exited with error 1$|^Performing Policy Validations$|^$' "$out" | grep -q .; then
    fail "$language: production synth with no AWS account is not one line naming bastionAmi"; cat "$out"; return
  fi
  pass "$language: production synth with no AWS account: one line naming the AMI lookup and bastionAmi"
  local log="$work/$language-production-synth.txt"
  if ! $cdk synth -q --no-notices -c stage=production -c bastionAmi=ami-0123456789abcdef0 > "$log" 2>&1; then
    fail "$language: production synth with bastionAmi failed"; tail -40 "$log"; return
  fi
  if ! grep -q '"ImageId": "ami-0123456789abcdef0"' cdk.out/InnovateProduction.template.json; then
    fail "$language: production synth with bastionAmi: the bastion does not run that AMI"; return
  fi
  pass "$language: production synth with -c bastionAmi, no AWS account: the bastion runs that AMI"
}

typescript_starter() {
  echo "==> TypeScript starter (npm package $(basename "$tarball"))"
  copy_starter typescript
  cd "$work/typescript"
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball"
  check_placeholders typescript "npx cdk"
  fill_placeholders
  npx tsc --noEmit && pass "typescript: tsc --noEmit (strict)" || fail "typescript: tsc --noEmit"
  npm test --silent && pass "typescript: npm test (jest)" || fail "typescript: npm test (jest)"
  check_synth typescript "npx cdk"
  check_production typescript "npx cdk"
  return "$failures"
}

python_starter() {
  echo "==> Python starter (wheel $(basename "$wheel"))"
  copy_starter python
  cd "$work/python"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt "$wheel"
  export PATH="$PWD/.venv/bin:$PATH"
  # The CDK CLI: this repository's pinned aws-cdk (the TypeScript starter's devDependency too).
  local cdk="$root/node_modules/.bin/cdk"
  check_placeholders python "$cdk"
  fill_placeholders
  python -m pytest -q -p no:cacheprovider && pass "python: pytest" || fail "python: pytest"
  check_synth python "$cdk"
  check_production python "$cdk"
  return "$failures"
}

# Both at once (npm's and pip's downloads and installs overlap), each in a
# subshell of its own with its output in a log printed when it ends.
started=$(date +%s)
(typescript_starter) > "$work/typescript.log" 2>&1 &
typescript_pid=$!
(python_starter) > "$work/python.log" 2>&1 &
python_pid=$!
typescript_rc=0; wait "$typescript_pid" || typescript_rc=$?
cat "$work/typescript.log"
python_rc=0; wait "$python_pid" || python_rc=$?
cat "$work/python.log"
echo "starter-check: $(( $(date +%s) - started ))s"
[ "$typescript_rc" -eq 0 ] || failures=$((failures + 1))
[ "$python_rc" -eq 0 ] || failures=$((failures + 1))

if [ "$failures" -ne 0 ]; then
  echo "starter-check: the TypeScript starter (exit ${typescript_rc}) or the Python starter (exit ${python_rc}) failed: see above" >&2
  exit 1
fi
echo "starter-check: both starters install from dist/, name each unfilled placeholder in one error, test and synthesize clean (production too, with bastionAmi)"
