"""What the starter deploys, synthesized with test values of the placeholders."""
import json
import os
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_s3 as s3

from platform_starter.config import ConfigError, lookup_error, read_config, user_error_message
from platform_starter.platform import build_platform, compliance_findings

#: Test values of the placeholders (cdk.json ships them as ``<...>``).
SETTINGS = {
    "account": "111122223333",
    "region": "us-east-1",
    "stage": "development",
    "domainName": "example.com",
    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
    "alarmEmail": "oncall@example.com",
    "clusterAdminRoleArns": ["arn:aws:iam::111122223333:role/platform-admin"],
}
# As `pytest` runs with no AWS credentials (the CDK CLI sets this from them).
os.environ.pop("CDK_DEFAULT_ACCOUNT", None)


def synth(tmp_path: Path, canary: bool = False, **context: object) -> cdk.cx_api.CloudAssembly:
    app = cdk.App(context={**SETTINGS, **context}, outdir=str(tmp_path))
    build_platform(app, read_config(app))
    if canary:
        # A canary every pack must report: a bare bucket in a stack of its own.
        s3.CfnBucket(cdk.Stack(app, "Canary", env=cdk.Environment(region="us-east-1")), "Bucket")
    return app.synth()


def template(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> assertions.Template:
    return assertions.Template.from_json(assembly.get_stack_by_name(stack_name).template)


@pytest.fixture(scope="module")
def development(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    return synth(tmp_path_factory.mktemp("development"))


def test_stacks_in_the_region_of_cdk_json(development: cdk.cx_api.CloudAssembly) -> None:
    assert sorted(s.stack_name for s in development.stacks) == [
        "InnovateDevelopment",
        "InnovateDevelopmentCluster",
        "InnovateDevelopmentData",
        "InnovateDevelopmentNetwork",
        "InnovateDevelopmentOperations",
        "InnovateDevelopmentShared",
    ]
    for stack in development.stacks:
        assert (stack.environment.account, stack.environment.region) == ("111122223333", "us-east-1")


def missing_lookups(assembly: cdk.cx_api.CloudAssembly) -> list:
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    return [m["key"] for m in manifest.get("missing", [])]


def test_needs_no_aws_credentials(development: cdk.cx_api.CloudAssembly) -> None:
    assert missing_lookups(development) == []


def test_the_four_compliance_packs_find_nothing(development: cdk.cx_api.CloudAssembly) -> None:
    assert compliance_findings(development.directory) == []


def test_app_at_domain_and_alarms_to_email(development: cdk.cx_api.CloudAssembly) -> None:
    environment = template(development, "InnovateDevelopment")
    environment.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {"DistributionConfig": assertions.Match.object_like({"Aliases": ["app.example.com"]})},
    )
    environment.has_resource_properties(
        "AWS::Route53::RecordSet", {"Name": "app.example.com.", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}
    )
    environment.resource_properties_count_is(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}, 2
    )
    environment.has_resource_properties(
        "AWS::RDS::DBInstance", {"Engine": "postgres", "StorageEncrypted": True, "MultiAZ": False}
    )


def test_cluster_administered_by_cluster_admin_role_arns(development: cdk.cx_api.CloudAssembly) -> None:
    cluster = template(development, "InnovateDevelopmentCluster")
    cluster.resource_count_is("AWS::EKS::Cluster", 1)
    cluster.has_resource_properties(
        "AWS::EKS::AccessEntry",
        {
            "PrincipalArn": "arn:aws:iam::111122223333:role/platform-admin",
            "AccessPolicies": [
                {
                    "AccessScope": {"Type": "cluster"},
                    "PolicyArn": {
                        "Fn::Join": [
                            "",
                            ["arn:", {"Ref": "AWS::Partition"}, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
                        ]
                    },
                }
            ],
        },
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> cdk.cx_api.CloudAssembly:
    return synth(tmp_path_factory.mktemp("production"), canary=True, stage="production")


def test_production_is_one_setting_away(production: cdk.cx_api.CloudAssembly) -> None:
    assert production.get_stack_by_name("InnovateProductionDisasterRecovery").environment.region == "us-west-2"
    template(production, "InnovateProduction").has_resource_properties(
        "AWS::RDS::DBInstance", {"MultiAZ": True, "DeletionProtection": True}
    )
    found = compliance_findings(production.directory)
    # The four packs run at every synth, and find nothing in the platform.
    assert sorted({f.split(":")[0] for f in found}) == ["AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321"]
    assert [f for f in found if " at Canary/" not in f] == []


def test_production_bastion_ami_is_looked_up_once_with_credentials(production: cdk.cx_api.CloudAssembly) -> None:
    # In-process the lookup answers a dummy value; the CLI makes it (with credentials) and keeps it in cdk.context.json.
    missing = missing_lookups(production)
    assert missing == [
        "ssm:account=111122223333:parameterName=/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64:region=us-east-1"
    ]
    config = read_config(cdk.App(context={**SETTINGS, "stage": "production"}))
    error = lookup_error(config, missing, None)
    assert error is not None and "\n" not in error
    assert re.fullmatch(
        r'context: "stage" is "production": the first cdk synth needs AWS credentials of account 111122223333 to look up '
        r"the bastion's AMI \(kept in cdk\.context\.json: commit it\), or set \"bastionAmi\" \(cdk\.json or -c\) to .+\.",
        error,
    )
    assert lookup_error(config, missing, "111122223333") is None


def test_production_with_bastion_ami_looks_up_nothing(tmp_path: Path) -> None:
    pinned = synth(tmp_path, stage="production", bastionAmi="ami-0123456789abcdef0")
    assert missing_lookups(pinned) == []
    template(pinned, "InnovateProduction").has_resource_properties("AWS::EC2::Instance", {"ImageId": "ami-0123456789abcdef0"})


@pytest.mark.parametrize("key", ["account", "domainName", "hostedZoneId", "alarmEmail"])
@pytest.mark.parametrize("unfilled", ["<as cdk.json ships it>", "", None])
def test_an_unfilled_placeholder_is_one_error_saying_what_to_put_there(key: str, unfilled: object) -> None:
    context = {**SETTINGS, key: unfilled}
    if unfilled is None:
        del context[key]
    app = cdk.App(context=context)
    with pytest.raises(ConfigError) as raised:
        read_config(app)
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].startswith(f'context: fill in "{key}" (cdk.json or -c): ')
    assert ', e.g. "' in raised.value.problems[0]


def test_with_credentials_of_another_account_synth_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111122223333")
    assert read_config(cdk.App(context=SETTINGS)).account == "111122223333"
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "444455556666")
    with pytest.raises(
        ConfigError,
        match=re.escape('context: "account" is "111122223333" (cdk.json or -c) but your AWS credentials are for account 444455556666'),
    ):
        read_config(cdk.App(context=SETTINGS))


def test_a_wrong_value_names_the_value_and_the_form_expected() -> None:
    app = cdk.App(context={**SETTINGS, "account": "1234"})
    with pytest.raises(ConfigError, match=re.escape('context: "account" is "1234" (cdk.json or -c): put the 12-digit ID of the AWS account')):
        read_config(app)


def problem_of(context: dict) -> str:
    """The one problem read_config reports for ``context``."""
    with pytest.raises(ConfigError) as raised:
        read_config(cdk.App(context=context))
    assert len(raised.value.problems) == 1
    return raised.value.problems[0]


def test_domain_and_zone_id_as_route53_prints_them() -> None:
    config = read_config(
        cdk.App(context={**SETTINGS, "domainName": "example.com.", "hostedZoneId": "/hostedzone/Z0123456789ABCDEFGHIJ"})
    )
    assert (config.domain_name, config.hosted_zone_id) == ("example.com", "Z0123456789ABCDEFGHIJ")


def test_cluster_admin_role_arns_from_the_command_line_as_json() -> None:
    arns = '["arn:aws:iam::111122223333:role/platform-admin"]'
    config = read_config(cdk.App(context={**SETTINGS, "clusterAdminRoleArns": arns}))
    assert config.cluster_admin_role_arns == ["arn:aws:iam::111122223333:role/platform-admin"]
    assert problem_of({**SETTINGS, "clusterAdminRoleArns": "arn:aws:iam::111122223333:role/platform-admin"}).startswith(
        'context: "clusterAdminRoleArns" is "arn:aws:iam::111122223333:role/platform-admin" (cdk.json or -c): '
        "put a list of IAM role ARNs"
    )


def test_region_defaults_to_us_east_1_and_stage_to_development() -> None:
    context = {k: v for k, v in SETTINGS.items() if k not in ("region", "stage")}
    config = read_config(cdk.App(context=context))
    assert (config.region, config.stage) == ("us-east-1", "development")


def test_an_empty_stage_or_region_is_an_error() -> None:
    assert problem_of({**SETTINGS, "stage": ""}) == 'context: "stage" is "" (cdk.json or -c): put "development" or "production".'
    assert (
        problem_of({**SETTINGS, "region": ""})
        == 'context: "region" is "" (cdk.json or -c): put the home region of the environment, e.g. "us-east-1".'
    )


def test_bastion_ami_when_given_is_an_ami_id() -> None:
    assert read_config(cdk.App(context={**SETTINGS, "bastionAmi": "ami-0123456789abcdef0"})).bastion_ami == "ami-0123456789abcdef0"
    assert problem_of({**SETTINGS, "bastionAmi": "al2023"}).startswith(
        'context: "bastionAmi" is "al2023" (cdk.json or -c): put the ID of an arm64 Amazon Linux 2023 AMI'
    )


def test_a_constructs_validation_error_is_printed_as_its_message() -> None:
    with pytest.raises(RuntimeError) as raised:
        s3.Bucket(cdk.Stack(cdk.App(), "Stack"), "Bucket", bucket_name="Not_A_Bucket_Name")
    message = user_error_message(raised.value)
    assert message is not None and message.startswith("Invalid S3 bucket name (value: Not_A_Bucket_Name)")
    assert user_error_message(ConfigError(["one", "two"])) == "one\ntwo"


def test_a_bug_keeps_its_stack_trace() -> None:
    assert user_error_message(AttributeError("'NoneType' object has no attribute 'vpc'")) is None
