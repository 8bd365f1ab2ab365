#!/usr/bin/env python3
"""Write src/private/instance-types.generated.ts: the EC2 and OpenSearch
instance types the synth-time validators of src/private/instance-types.ts
accept.

    .venv/bin/python scripts/update-instance-types.py            # write the file
    .venv/bin/python scripts/update-instance-types.py --out -    # print it
    .venv/bin/python scripts/update-instance-types.py --check    # exit 1 on drift

(`npx projen update-instance-types` makes .venv and writes the file.)

Sources, both read from the pinned Python tools in .venv
(scripts/validate-requirements.txt), so the output is a function of that file:

- botocore's service models: the `InstanceType` enum of ec2 and the
  `OpenSearchPartitionInstanceType` enum of opensearch. botocore is capped
  below 1.36 there (checkov pins boto3==1.35.49), and AWS no longer extends the
  OpenSearch enum (it stops at r6gd: no r7g, or2, om2, ...).
- cfn-lint's instance type lists (data/schemas/extensions/*/…_enum.json),
  which cfn-lint's maintainers refresh from the AWS Price List API for every
  region; the union over regions is what AWS offers somewhere.

A type is accepted when either source lists it: a validator that rejects a
type AWS offers is worse than the deploy-time failure it replaces. Both enums
only ever grow, so bumping cfn-lint (or botocore) and rerunning this script
adds the new types; test/private/instance-types.test.ts fails until it is run.

Output is deterministic: families sorted by name, sizes smallest first.
"""
import argparse
import gzip
import importlib.metadata
import importlib.util
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join('src', 'private', 'instance-types.generated.ts')
SCRIPT = 'scripts/update-instance-types.py'

# Sizes without a multiplier, smallest first; `Nxlarge` and `metal-Nxl` sort by N.
NAMED_SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge']


def package_dir(name):
    """The directory of an installed package, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f'{SCRIPT}: Python package {name!r} not found: run it with .venv/bin/python '
                 '(bash scripts/ensure-venv.sh makes .venv)')
    return list(spec.submodule_search_locations)[0]


def read_json(path):
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    with gzip.open(path + '.gz', 'rt', encoding='utf-8') as f:
        return json.load(f)


def botocore_enum(service, shape):
    """An enum of the newest API version of a botocore service model."""
    data = os.path.join(package_dir('botocore'), 'data', service)
    version = sorted(os.listdir(data))[-1]
    model = read_json(os.path.join(data, version, 'service-2.json'))
    return set(model['shapes'][shape]['enum'])


def cfn_lint_enum(extension, name):
    """The union over regions of a cfn-lint per-region enum file."""
    path = os.path.join(package_dir('cfnlint'), 'data', 'schemas', 'extensions', extension, name)
    regions = read_json(path)
    values = set()
    for region in regions.values():
        if isinstance(region, dict):  # skips the "description" entry
            values.update(region.get('enum', []))
    if not values:
        sys.exit(f'{SCRIPT}: no instance types in {path}: has cfn-lint changed its data layout?')
    return values


def size_key(size):
    if size in NAMED_SIZES:
        return (0, NAMED_SIZES.index(size), size)
    m = re.fullmatch(r'(\d+)xlarge', size)
    if m:
        return (0, len(NAMED_SIZES) + int(m.group(1)), size)
    if size == 'metal':
        return (1, 0, size)
    m = re.fullmatch(r'metal-(\d+)xl', size)
    if m:
        return (1, int(m.group(1)), size)
    return (2, 0, size)


def by_family(types, suffix=''):
    """family -> sizes, for names `family.size` + suffix."""
    families = {}
    for name in types:
        if not name.endswith(suffix) or name.count('.') != 1 + suffix.count('.'):
            sys.exit(f'{SCRIPT}: unexpected instance type {name!r} (want family.size{suffix})')
        family, size = name[: len(name) - len(suffix)].split('.')
        families.setdefault(family, set()).add(size)
    return {f: sorted(s, key=size_key) for f, s in sorted(families.items())}


def ts_map(name, doc, families):
    lines = [f'/** {doc} */', f'export const {name}: Readonly<Record<string, string>> = {{']
    lines += [f"  '{family}': '{' '.join(sizes)}'," for family, sizes in families.items()]
    lines.append('};')
    return lines


def generate():
    botocore_version = importlib.metadata.version('botocore')
    cfn_lint_version = importlib.metadata.version('cfn-lint')
    ec2 = botocore_enum('ec2', 'InstanceType') | cfn_lint_enum('aws_ec2_instance', 'instancetype_enum.json')
    opensearch = botocore_enum('opensearch', 'OpenSearchPartitionInstanceType') | cfn_lint_enum(
        'aws_opensearchservice_domain', 'clusterconfig_instancetype_enum.json')
    ec2_families = by_family(ec2)
    opensearch_families = by_family(opensearch, '.search')
    lines = [
        f'// ~~ Generated by {SCRIPT} from botocore {botocore_version} and cfn-lint {cfn_lint_version}.',
        '// Do not edit: run `npx projen update-instance-types` (see the script for the sources).',
        '',
        '/** The versions of the Python packages this catalog was generated from. */',
        f"export const INSTANCE_TYPES_SOURCES = {{ botocore: '{botocore_version}', cfnLint: '{cfn_lint_version}' }};",
        '',
        *ts_map('EC2_INSTANCE_SIZES',
                f'EC2 instance family -> its sizes, space-separated, smallest first ({len(ec2)} types).',
                ec2_families),
        '',
        *ts_map('OPENSEARCH_INSTANCE_SIZES',
                'OpenSearch Service instance family -> its sizes, space-separated, smallest first '
                f'({len(opensearch)} types, each named `family.size.search`).',
                opensearch_families),
    ]
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, OUT), help=f'file to write, - for stdout (default {OUT})')
    parser.add_argument('--check', action='store_true', help='write nothing; exit 1 when the file differs')
    args = parser.parse_args()
    text = generate()
    if args.check:
        with open(args.out, encoding='utf-8') as f:
            if f.read() != text:
                sys.exit(f'{args.out} is out of date: run `npx projen update-instance-types`')
        return
    if args.out == '-':
        sys.stdout.write(text)
        return
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()
