"""The environment's settings, read from cdk.json's context (or ``cdk synth -c key=value``)."""
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Pattern, Tuple

import aws_cdk as cdk


@dataclass(frozen=True)
class StarterConfig:
    """The settings of cdk.json's context, checked."""

    #: AWS account ID the environment deploys to.
    account: str
    #: Home region.
    region: str
    #: ``development`` or ``production``.
    stage: str
    #: Name of the public Route 53 hosted zone the app is served from (``app.<domain_name>``).
    domain_name: str
    #: ID of that hosted zone.
    hosted_zone_id: str
    #: Receives the critical and warning alarms.
    alarm_email: str
    #: IAM roles that get cluster admin (kubectl).
    cluster_admin_role_arns: List[str]
    #: The account of the stacks' ``env``: ``account`` when the CDK CLI has AWS
    #: credentials (of that account), otherwise None, so ``cdk synth`` needs no
    #: AWS account (with a concrete account, aws-cdk-lib looks up the region's
    #: Availability Zones, which needs credentials).
    env_account: Optional[str]


class ConfigError(Exception):
    """cdk.json's context is incomplete or wrong: one line per setting, no stack trace needed."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


#: The placeholders: cdk.json ships them as ``<...>``, and synth stops until
#: each is filled. Key: (what to put there, example, form).
PLACEHOLDERS: Dict[str, Tuple[str, str, Pattern[str]]] = {
    "account": (
        "the 12-digit ID of the AWS account this environment deploys to (aws sts get-caller-identity --query Account)",
        "111122223333",
        re.compile(r"^\d{12}$"),
    ),
    "domainName": (
        "the name of your public Route 53 hosted zone; the app is served at app.<domainName>",
        "example.com",
        re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"),
    ),
    "hostedZoneId": (
        "the ID of that hosted zone (aws route53 list-hosted-zones-by-name --dns-name <domainName>)",
        "Z0123456789ABCDEFGHIJ",
        re.compile(r"^Z[A-Z0-9]{1,31}$"),
    ),
    "alarmEmail": (
        "the e-mail address that receives the critical and warning alarms",
        "oncall@example.com",
        re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"),
    ),
}

REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def _unfilled(value: Any) -> bool:
    """A value cdk.json still holds as shipped: missing, empty or ``<...>``."""
    if value is None:
        return True
    return isinstance(value, str) and (value.strip() == "" or re.fullmatch(r"<.*>", value.strip(), re.S) is not None)


def read_config(app: cdk.App) -> StarterConfig:
    """The settings of cdk.json's context, checked; every problem at once, one line each."""
    problems: List[str] = []
    values: Dict[str, str] = {}
    for key, (what, example, pattern) in PLACEHOLDERS.items():
        value = app.node.try_get_context(key)
        if _unfilled(value):
            problems.append(f'cdk.json: fill in "{key}" (context): {what}, e.g. "{example}".')
        elif not isinstance(value, str) or not pattern.match(value):
            problems.append(f'cdk.json: "{key}" is {json.dumps(value)}: put {what}, e.g. "{example}".')
        else:
            values[key] = value

    stage = app.node.try_get_context("stage") or "development"
    if stage not in ("development", "production"):
        problems.append(f'cdk.json: "stage" is {json.dumps(stage)}: put "development" or "production".')
    region = app.node.try_get_context("region")
    if not isinstance(region, str) or not REGION.match(region):
        problems.append(
            f'cdk.json: "region" is {json.dumps(region)}: put the home region of the environment, e.g. "us-east-1".'
        )
    roles = app.node.try_get_context("clusterAdminRoleArns")
    roles = [] if roles is None else roles
    if not isinstance(roles, list) or any(not isinstance(arn, str) or not ROLE_ARN.match(arn) for arn in roles):
        problems.append(
            f'cdk.json: "clusterAdminRoleArns" is {json.dumps(roles)}: put a list of IAM role ARNs '
            '(e.g. ["arn:aws:iam::111122223333:role/platform-admin"]), or [] for none.'
        )

    # The CDK CLI sets CDK_DEFAULT_ACCOUNT to the account of your AWS
    # credentials, when there are any: deploying elsewhere than cdk.json says
    # is a mistake to stop here.
    credentials_account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    account = values.get("account")
    if account and credentials_account and credentials_account != account:
        problems.append(
            f'cdk.json: "account" is "{account}" but your AWS credentials are for account {credentials_account}: '
            f"use credentials of {account}, or put {credentials_account} there."
        )

    if problems:
        raise ConfigError(problems)
    return StarterConfig(
        account=values["account"],
        region=region,
        stage=stage,
        domain_name=values["domainName"],
        hosted_zone_id=values["hostedZoneId"],
        alarm_email=values["alarmEmail"],
        cluster_admin_role_arns=list(roles),
        env_account=values["account"] if credentials_account else None,
    )
