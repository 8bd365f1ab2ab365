#!/usr/bin/env bash
# Run cfn-lint and checkov over every CloudFormation template in cdk.out/.
# Installs both into .venv (pinned in scripts/validate-requirements.txt).
# Fails on any cfn-lint error or any checkov failure; a checkov exception is
# accepted only when the template explains it (Metadata.checkov.skip comment).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=scripts/validate-requirements.txt
stamp="$venv/.requirements.sha"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing validators into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi

shopt -s nullglob
# `npm run validate` synthesizes cdk.out/ first (the projen task spawns
# `reference`), so the templates checked are the current ones.
templates=(cdk.out/*.template.json cdk.out/phase2/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "No templates in cdk.out/: run npm run validate (it synthesizes them first)"
  exit 1
fi
echo "Validating ${#templates[@]} template(s): ${templates[*]}"

# cfn-lint exit code is a bitmask: 2 = errors, 4 = warnings, 8 = informational.
set +e
"$venv/bin/cfn-lint" --format parseable -- "${templates[@]}" > .venv/cfn-lint.txt
lint_rc=$?
set -e
lint_errors=$(grep -cE ':E[0-9]{4}:' .venv/cfn-lint.txt || true)
lint_warnings=$(grep -cE ':W[0-9]{4}:' .venv/cfn-lint.txt || true)
echo "cfn-lint: ${lint_errors} error(s), ${lint_warnings} warning(s)"
if [ "$lint_errors" -gt 0 ] || [ $((lint_rc & 1)) -ne 0 ]; then
  grep -E ':E[0-9]{4}:' .venv/cfn-lint.txt || cat .venv/cfn-lint.txt
  lint_failed=1
else
  lint_failed=0
fi

checkov_args=()
for t in "${templates[@]}"; do checkov_args+=(-f "$t"); done
set +e
BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" "${checkov_args[@]}" --framework cloudformation \
  --skip-download --output json > .venv/checkov.json 2> .venv/checkov.err
set -e
"$venv/bin/python" - "$lint_failed" <<'PY'
import json, sys
lint_failed = sys.argv[1] == "1"
raw = json.load(open(".venv/checkov.json"))
reports = raw if isinstance(raw, list) else [raw]
passed = failed = skipped = parsing_errors = resources = 0
failures, unexplained = [], []
for report in reports:
    summary = report.get("summary", {})
    passed += summary.get("passed", 0)
    failed += summary.get("failed", 0)
    skipped += summary.get("skipped", 0)
    parsing_errors += summary.get("parsing_errors", 0)
    resources += summary.get("resource_count", 0)
    results = report.get("results", {})
    for check in results.get("failed_checks", []):
        failures.append(f'{check["check_id"]} {check["resource"]} ({check["file_path"]}): {check["check_name"]}')
    for check in results.get("skipped_checks", []):
        comment = (check.get("check_result") or {}).get("suppress_comment", "")
        if not comment or comment == "No comment provided":
            unexplained.append(f'{check["check_id"]} {check["resource"]}: skipped without a reason')
print(f"checkov: {resources} resources, {passed} passed, {failed} failed, {skipped} skipped with a reason in the template")
if parsing_errors or resources == 0 or passed == 0:
    print(f"checkov did not check the templates: {parsing_errors} parsing error(s), {resources} resources, {passed} checks passed")
    sys.exit(1)
for line in failures + unexplained:
    print(f"  {line}")
if failures or unexplained or lint_failed:
    sys.exit(1)
print("validate: templates are clean")
PY
