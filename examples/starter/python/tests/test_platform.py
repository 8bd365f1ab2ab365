"""What the starter deploys, synthesized with test values of the placeholders."""
import os
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_s3 as s3

from platform_starter.config import ConfigError, read_config
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
        # No AWS credentials here: the account is the deploying credentials' (checked against cdk.json's).
        assert (stack.environment.account, stack.environment.region) == ("unknown-account", "us-east-1")


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


def test_production_is_one_setting_away(tmp_path: Path) -> None:
    assembly = synth(tmp_path, canary=True, stage="production")
    assert assembly.get_stack_by_name("InnovateProductionDisasterRecovery").environment.region == "us-west-2"
    template(assembly, "InnovateProduction").has_resource_properties(
        "AWS::RDS::DBInstance", {"MultiAZ": True, "DeletionProtection": True}
    )
    found = compliance_findings(assembly.directory)
    # The four packs run at every synth, and find nothing in the platform.
    assert sorted({f.split(":")[0] for f in found}) == ["AwsSolutions", "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321"]
    assert [f for f in found if " at Canary/" not in f] == []


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
    assert raised.value.problems[0].startswith(f'cdk.json: fill in "{key}" (context): ')
    assert ', e.g. "' in raised.value.problems[0]


def test_with_credentials_the_stacks_deploy_into_the_account_of_cdk_json_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111122223333")
    assert read_config(cdk.App(context=SETTINGS)).env_account == "111122223333"
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "444455556666")
    with pytest.raises(ConfigError, match="your AWS credentials are for account 444455556666"):
        read_config(cdk.App(context=SETTINGS))


def test_a_wrong_value_names_the_value_and_the_form_expected() -> None:
    app = cdk.App(context={**SETTINGS, "account": "1234"})
    with pytest.raises(ConfigError, match=r'cdk\.json: "account" is "1234": put the 12-digit ID of the AWS account'):
        read_config(app)
