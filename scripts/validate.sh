#!/usr/bin/env bash
# Run cfn-lint and checkov over CloudFormation templates: by default every
# template of cdk.out/ (the reference architecture, Phase 1 and Phase 2);
# given cloud assembly directories (scripts/validate.sh DIR...), every stack
# template in those (scripts/reference-apps.sh checks the Python and Go apps'
# assemblies this way). Installs both into .venv (pinned in
# scripts/validate-requirements.txt) through scripts/ensure-venv.sh.
# Fails on any cfn-lint error or any checkov failure; a checkov exception is
# accepted only when the template explains it (Metadata.checkov.skip comment).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
bash scripts/ensure-venv.sh

shopt -s nullglob
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
if [ $# -gt 0 ]; then
  # Cloud assemblies given on the command line: their StackSet templates (if
  # any) are written into a directory of this run.
  templates=()
  for dir in "$@"; do
    found=("$dir"/*.template.json)
    [ ${#found[@]} -gt 0 ] || { echo "No templates in $dir/"; exit 1; }
    templates+=("${found[@]}")
  done
  stackset_dir="$reports/stacksets"
  require_stackset=0
else
  # `npm run validate` synthesizes cdk.out/ first (the projen task spawns
  # `reference`), so the templates checked are the current ones.
  templates=(cdk.out/*.template.json cdk.out/phase2/*.template.json)
  if [ ${#templates[@]} -eq 0 ]; then
    echo "No templates in cdk.out/: run npm run validate (it synthesizes them first)"
    exit 1
  fi
  stackset_dir=cdk.out/stacksets
  require_stackset=1
fi
# StackSet templates (the member accounts' CDK bootstrap of OrgLandingZone)
# are templates of their own: write each synthesized TemplateBody to a file
# and check it like the others.
rm -rf "$stackset_dir"
mkdir -p "$stackset_dir"
"$venv/bin/python" - "$stackset_dir" "$require_stackset" "${templates[@]}" <<'PY'
import json, os, sys
out, required, written = sys.argv[1], sys.argv[2] == "1", 0
for path in sys.argv[3:]:
    stack = os.path.basename(path).removesuffix(".template.json")
    for logical_id, res in json.load(open(path)).get("Resources", {}).items():
        body = res.get("Properties", {}).get("TemplateBody")
        if res.get("Type") == "AWS::CloudFormation::StackSet" and isinstance(body, str):
            name = os.path.join(out, f"{stack}.{logical_id}.template.json")
            if os.path.exists(name):  # the same stack in two assemblies given on the command line
                name = os.path.join(out, f"{os.path.basename(os.path.dirname(path))}.{stack}.{logical_id}.template.json")
            with open(name, "w") as f:
                json.dump(json.loads(body), f, indent=1)
            written += 1
if written == 0 and required:
    sys.exit("No StackSet template found in cdk.out/ (the Phase 2 reference app synthesizes the CDK bootstrap StackSet)")
PY
templates+=("$stackset_dir"/*.template.json)
echo "Validating ${#templates[@]} template(s): ${templates[*]}"

# cfn-lint and checkov are single-threaded: run them side by side.
checkov_args=()
for t in "${templates[@]}"; do checkov_args+=(-f "$t"); done
set +e
"$venv/bin/cfn-lint" --format parseable -- "${templates[@]}" > "$reports/cfn-lint.txt" &
lint_pid=$!
BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" "${checkov_args[@]}" --framework cloudformation \
  --skip-download --output json > "$reports/checkov.json" 2> "$reports/checkov.err"
wait "$lint_pid"
lint_rc=$?
set -e

# The reports, for the report pages (scripts/lib/report), which are written
# again with them: each assembly's page shows the results on its own
# templates. checkov's report is cut down to what the pages read (it is
# tens of MB with the code blocks).
if [ $# -eq 0 ]; then
  for dir in cdk.out cdk.out/phase2; do
    mkdir -p "$dir/validators"
    cp "$reports/cfn-lint.txt" "$dir/validators/"
    "$venv/bin/python" - "$reports/checkov.json" "$dir/validators/checkov.json" <<'PY' || true
import json, sys
raw = json.load(open(sys.argv[1]))
keep = ("check_id", "check_name", "resource", "file_path", "file_abs_path")
cut = [{"results": {k: [{f: c.get(f) for f in keep} for c in r.get("results", {}).get(k, [])]
                    for k in ("passed_checks", "failed_checks", "skipped_checks")}}
       for r in (raw if isinstance(raw, list) else [raw])]
json.dump(cut, open(sys.argv[2], "w"), indent=0)
PY
  done
  npx ts-node --transpile-only -P tsconfig.dev.json scripts/report.ts cdk.out cdk.out/phase2 || true
fi

# cfn-lint exit code is a bitmask: 2 = errors, 4 = warnings, 8 = informational.
lint_errors=$(grep -cE ':E[0-9]{4}:' "$reports/cfn-lint.txt" || true)
lint_warnings=$(grep -cE ':W[0-9]{4}:' "$reports/cfn-lint.txt" || true)
echo "cfn-lint: ${lint_errors} error(s), ${lint_warnings} warning(s)"
if [ "$lint_errors" -gt 0 ] || [ $((lint_rc & 1)) -ne 0 ]; then
  grep -E ':E[0-9]{4}:' "$reports/cfn-lint.txt" || cat "$reports/cfn-lint.txt"
  lint_failed=1
else
  lint_failed=0
fi

"$venv/bin/python" - "$lint_failed" "$reports/checkov.json" "$reports/checkov.err" <<'PY'
import json, sys
lint_failed = sys.argv[1] == "1"
try:
    raw = json.load(open(sys.argv[2]))
except ValueError:
    sys.exit("checkov wrote no report:\n" + open(sys.argv[3]).read()[-3000:])
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
