#!/usr/bin/env python3
"""One environment of the Innovate Inc. platform: cdk synth / cdk deploy (cdk.json runs this)."""
import json
import os
import sys
from pathlib import Path

import aws_cdk as cdk

from platform_starter.config import lookup_error, read_config, user_error_message
from platform_starter.platform import build_platform, compliance_findings


def main() -> None:
    app = cdk.App()
    config = read_config(app)
    build_platform(app, config)
    assembly = app.synth()

    # Production's bastion AMI is looked up once (the CLI does it with AWS
    # credentials, keeps it in cdk.context.json and runs the app again).
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    missing = [m["key"] for m in manifest.get("missing", [])]
    no_credentials = lookup_error(config, missing, os.environ.get("CDK_DEFAULT_ACCOUNT"))
    if no_credentials:
        print(no_credentials, file=sys.stderr)
        sys.exit(1)

    findings = compliance_findings(assembly.directory)
    if findings:
        print("The compliance packs found (see the validation report above):", *findings, sep="\n  ", file=sys.stderr)
        sys.exit(1)


try:
    main()
except Exception as err:  # pylint: disable=broad-except
    # A setting to fill in or fix, or a value a construct rejects: its message
    # only (one line each, naming the setting or the construct path). Anything
    # else is a bug: its stack trace, as DEBUG or CDK_DEBUG asks for every error.
    message = user_error_message(err)
    if message is None or os.environ.get("DEBUG") or os.environ.get("CDK_DEBUG"):
        raise
    print(message, file=sys.stderr)
    sys.exit(1)
