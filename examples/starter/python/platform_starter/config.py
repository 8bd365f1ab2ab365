"""The environment's settings, read from cdk.json's context (or ``cdk synth -c key=value``)."""
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Pattern, Sequence, Tuple

import aws_cdk as cdk


@dataclass(frozen=True)
class StarterConfig:
    """The settings of cdk.json's context, checked."""

    #: AWS account ID the environment deploys to (the stacks' ``env.account``).
    account: str
    #: Home region.
    region: str
    #: ``development`` or ``production``.
    stage: str
    #: Name of the public Route 53 hosted zone the app is served from (``app.<domain_name>``), without a trailing dot.
    domain_name: str
    #: ID of that hosted zone, without the ``/hostedzone/`` prefix.
    hosted_zone_id: str
    #: Receives the critical and warning alarms.
    alarm_email: str
    #: IAM roles that get cluster admin (kubectl).
    cluster_admin_role_arns: List[str]
    #: The bastion's AMI (arm64 Amazon Linux 2023) in ``region``, pinned; when
    #: None, production looks it up once with AWS credentials (kept in
    #: cdk.context.json) and development takes the latest at every deploy.
    bastion_ami: Optional[str] = None


class ConfigError(Exception):
    """The settings are incomplete or wrong: one line per setting, no stack trace needed."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


#: Where a setting comes from, as the errors name it: cdk.json's context, or ``-c key=value``.
FROM = "(cdk.json or -c)"


def _strip_suffix(suffix: str) -> Callable[[str], str]:
    return lambda value: value[: -len(suffix)] if value.endswith(suffix) else value


def _strip_prefix(prefix: str) -> Callable[[str], str]:
    return lambda value: value[len(prefix):] if value.startswith(prefix) else value


#: The placeholders: cdk.json ships them as ``<...>``, and synth stops until
#: each is filled. Key: (what to put there, example, form, the value as the
#: lookup command the README names prints it made that form).
PLACEHOLDERS: Dict[str, Tuple[str, str, Pattern[str], Optional[Callable[[str], str]]]] = {
    "account": (
        "the 12-digit ID of the AWS account this environment deploys to (aws sts get-caller-identity --query Account)",
        "111122223333",
        re.compile(r"^\d{12}$"),
        None,
    ),
    "domainName": (
        "the name of your public Route 53 hosted zone; the app is served at app.<domainName>",
        "example.com",
        re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"),
        # Route 53 prints zone names fully qualified: "example.com.".
        _strip_suffix("."),
    ),
    "hostedZoneId": (
        "the ID of that hosted zone (aws route53 list-hosted-zones-by-name --dns-name <domainName>)",
        "Z0123456789ABCDEFGHIJ",
        re.compile(r"^Z[A-Z0-9]{1,31}$"),
        # Route 53 prints zone IDs as "/hostedzone/Z0123456789ABCDEFGHIJ".
        _strip_prefix("/hostedzone/"),
    ),
    "alarmEmail": (
        "the e-mail address that receives the critical and warning alarms",
        "oncall@example.com",
        re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"),
        None,
    ),
}

DEFAULT_REGION = "us-east-1"
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
AMI = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"


def _unfilled(value: Any) -> bool:
    """A value cdk.json still holds as shipped: missing, empty or ``<...>``."""
    if value is None:
        return True
    return isinstance(value, str) and (value.strip() == "" or re.fullmatch(r"<.*>", value.strip(), re.S) is not None)


def _list(value: Any) -> Any:
    """A list setting: a list in cdk.json, or the same list as a JSON string (``-c 'key=["..."]'``)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _json(value: Any) -> str:
    """The value as the errors show it (as JSON.stringify does: no spaces)."""
    return json.dumps(value, separators=(",", ":"))


def _default(value: Any, default: Any) -> Any:
    """The default for a setting that is not there at all (an empty one is a wrong value)."""
    return default if value is None else value


def read_config(app: cdk.App) -> StarterConfig:
    """The settings of cdk.json's context (or ``-c key=value``), checked; every problem at once, one line each."""
    problems: List[str] = []
    values: Dict[str, str] = {}
    for key, (what, example, pattern, normalise) in PLACEHOLDERS.items():
        raw = app.node.try_get_context(key)
        value = normalise(raw.strip()) if isinstance(raw, str) and normalise else raw
        if _unfilled(raw):
            problems.append(f'context: fill in "{key}" {FROM}: {what}, e.g. "{example}".')
        elif not isinstance(value, str) or not pattern.match(value):
            problems.append(f'context: "{key}" is {_json(raw)} {FROM}: put {what}, e.g. "{example}".')
        else:
            values[key] = value

    stage = _default(app.node.try_get_context("stage"), "development")
    if stage not in ("development", "production"):
        problems.append(f'context: "stage" is {_json(stage)} {FROM}: put "development" or "production".')
    region = _default(app.node.try_get_context("region"), DEFAULT_REGION)
    if not isinstance(region, str) or not REGION.match(region):
        problems.append(
            f'context: "region" is {_json(region)} {FROM}: put the home region of the environment, e.g. "{DEFAULT_REGION}".'
        )
    roles = _list(_default(app.node.try_get_context("clusterAdminRoleArns"), []))
    if not isinstance(roles, list) or any(not isinstance(arn, str) or not ROLE_ARN.match(arn) for arn in roles):
        problems.append(
            f'context: "clusterAdminRoleArns" is {_json(roles)} {FROM}: put a list of IAM role ARNs '
            '(e.g. ["arn:aws:iam::111122223333:role/platform-admin"]), or [] for none.'
        )
    bastion_ami = app.node.try_get_context("bastionAmi")
    if bastion_ami is not None and (not isinstance(bastion_ami, str) or not AMI.match(bastion_ami)):
        problems.append(
            f'context: "bastionAmi" is {_json(bastion_ami)} {FROM}: put the ID of an arm64 Amazon Linux 2023 AMI of the home region '
            f'(aws ssm get-parameter --name {AMI_PARAMETER} --query Parameter.Value --output text), e.g. "ami-0123456789abcdef0", '
            "or leave it out."
        )

    # The CDK CLI sets CDK_DEFAULT_ACCOUNT to the account of your AWS
    # credentials, when there are any: deploying elsewhere than cdk.json says
    # is a mistake to stop here.
    credentials_account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    account = values.get("account")
    if account and credentials_account and credentials_account != account:
        problems.append(
            f'context: "account" is "{account}" {FROM} but your AWS credentials are for account {credentials_account}: '
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
        bastion_ami=bastion_ami,
    )


def lookup_error(config: StarterConfig, missing: Sequence[str], credentials_account: Optional[str]) -> Optional[str]:
    """The one line to stop ``cdk synth`` with when the app asked for context
    lookups (``missing``: production's bastion AMI, pinned at the first synth)
    and the CDK CLI has no AWS credentials to make them; None when there is
    nothing to look up or credentials to do it (the CLI then looks up, keeps
    the answers in cdk.context.json, and runs the app again)."""
    if not missing or credentials_account:
        return None
    what = "the bastion's AMI" if config.stage == "production" else ", ".join(missing)
    return (
        f'context: "stage" is "{config.stage}": the first cdk synth needs AWS credentials of account {config.account} '
        f"to look up {what} (kept in cdk.context.json: commit it), "
        f'or set "bastionAmi" {FROM} to an arm64 Amazon Linux 2023 AMI of {config.region} '
        f"(aws ssm get-parameter --name {AMI_PARAMETER} --query Parameter.Value --output text)."
    )


#: The library's validation errors: "<construct path>: invalid <prop> <value>: <allowed>".
LIBRARY_ERROR = re.compile(r"^[\w.-]+(/[\w.-]+)*: invalid \S+ ")


def user_error_message(err: BaseException) -> Optional[str]:
    """The message to print, without a stack trace, for an error of the
    settings (ConfigError) or of a construct's validation (an error the
    constructs threw in the jsii runtime: aws-cdk-lib's ValidationError, the
    library's "<construct path>: invalid <prop> <value>: <allowed>"); None for
    anything else (a bug in Python: its stack trace is wanted)."""
    if isinstance(err, ConfigError):
        return str(err)
    try:
        from jsii.errors import JavaScriptError  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - jsii is a dependency of aws-cdk-lib
        return None
    if isinstance(err, RuntimeError) and isinstance(err.__cause__, JavaScriptError):
        return str(err)
    return None
