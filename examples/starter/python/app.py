#!/usr/bin/env python3
"""One environment of the Innovate Inc. platform: cdk synth / cdk deploy (cdk.json runs this)."""
import sys

import aws_cdk as cdk

from platform_starter.config import ConfigError, read_config
from platform_starter.platform import build_platform, compliance_findings

app = cdk.App()
try:
    config = read_config(app)
except ConfigError as err:
    # A setting of cdk.json to fill in or fix: one line each, no stack trace.
    print(err, file=sys.stderr)
    sys.exit(1)
build_platform(app, config)
assembly = app.synth()

findings = compliance_findings(assembly.directory)
if findings:
    print("The compliance packs found (see the validation report above):", *findings, sep="\n  ", file=sys.stderr)
    sys.exit(1)
