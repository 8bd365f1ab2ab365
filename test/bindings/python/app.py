"""Binding smoke test: synthesize a PlatformNetwork from Python.

Uses the wheel jsii-pacmak built into dist/python. Checks one property of the
template (the VPC CIDR and NAT count), the cost estimate and its guard (a
validation plugin), and that a bad prop raises the library's synth-time
error across the language boundary.
"""
import json
import os
import tempfile

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk.lambda_layer_kubectl_v35 import KubectlV35Layer
from innovate_platform_constructs import (
    ApiLoadBalancer,
    ClusterLoggingOptions,
    CostAllocationTags,
    CostEstimate,
    CostGuard,
    ObservableEksCluster,
    PlatformNetwork,
    PlatformStage,
    PrometheusStackOptions,
    SecureRds,
    StageProfiles,
    UsageAssumptions,
    UsageProfile,
    VaultOptions,
    WebAclMode,
    WebFrontend,
    WebFrontendApiOptions,
)

AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]


def new_stack(name: str) -> cdk.Stack:
    app = cdk.App(outdir=tempfile.mkdtemp())
    return cdk.Stack(app, name, env=cdk.Environment(account="123456789012", region="us-east-1"))


def resources_of(template: dict, kind: str) -> list:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def synthesizes_the_network() -> None:
    stack = new_stack("PythonSmoke")
    PlatformNetwork(stack, "Network", stage=PlatformStage.DEVELOPMENT, vpc_cidr="10.42.0.0/16", availability_zones=AZS)
    template = stack.node.root.synth().get_stack_by_name("PythonSmoke").template
    vpcs = resources_of(template, "AWS::EC2::VPC")
    assert [v["Properties"]["CidrBlock"] for v in vpcs] == ["10.42.0.0/16"], vpcs
    assert len(resources_of(template, "AWS::EC2::NatGateway")) == StageProfiles.DEVELOPMENT.network.nat_gateways
    assert len(resources_of(template, "AWS::EC2::Subnet")) == 9


def synthesizes_the_database() -> None:
    stack = new_stack("PythonDatabase")
    network = PlatformNetwork(stack, "Network", stage=PlatformStage.PRODUCTION, availability_zones=AZS)
    db = SecureRds(
        stack,
        "Database",
        vpc=network.vpc,
        stage=PlatformStage.PRODUCTION,
        security_group=network.database_security_group,
        client_security_groups=[network.application_security_group],
    )
    db.add_read_replica("Reporting")
    template = stack.node.root.synth().get_stack_by_name("PythonDatabase").template
    instances = resources_of(template, "AWS::RDS::DBInstance")
    primary = [i for i in instances if "SourceDBInstanceIdentifier" not in i["Properties"]]
    assert [p["Properties"]["DBInstanceClass"] for p in primary] == ["db.t4g.medium"], primary
    assert primary[0]["Properties"]["MultiAZ"] is True
    assert primary[0]["Properties"]["StorageEncrypted"] is True
    assert primary[0]["Properties"]["PubliclyAccessible"] is False
    assert len(instances) == 2
    assert db.max_connections == 413


def synthesizes_the_cluster() -> None:
    """The production cluster with Karpenter, a namespace and its operations, from Python."""
    stack = new_stack("PythonCluster")
    network = PlatformNetwork(stack, "Network", stage=PlatformStage.PRODUCTION, availability_zones=AZS)
    cluster = ObservableEksCluster(
        stack,
        "Cluster",
        stage=PlatformStage.PRODUCTION,
        vpc=network.vpc,
        kubectl_layer=KubectlV35Layer(stack, "Kubectl"),
        node_security_groups=[network.application_security_group],
        monitoring=PrometheusStackOptions(),
        logging=ClusterLoggingOptions(),
        vault=VaultOptions(),
    )
    cluster.add_application_namespace("backend")
    template = stack.node.root.synth().get_stack_by_name("PythonCluster").template
    clusters = resources_of(template, "AWS::EKS::Cluster")
    assert [c["Properties"]["Name"] for c in clusters] == ["innovate-eks-prod"], clusters
    assert clusters[0]["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"] is False
    manifests = json.dumps([r["Properties"]["Manifest"] for r in resources_of(template, "Custom::AWSCDK-EKS-KubernetesResource")])
    assert "NodePool" in manifests and "EC2NodeClass" in manifests and "PrometheusRule" in manifests
    charts = sorted(str(r["Properties"].get("Chart")) for r in resources_of(template, "Custom::AWSCDK-EKS-HelmChart"))
    for chart in ["karpenter", "kube-prometheus-stack", "fluent-bit", "vault", "aws-load-balancer-controller"]:
        assert chart in charts, charts
    assert cluster.namespaces == ["backend"]


def synthesizes_the_edge() -> None:
    """The SPA behind CloudFront with both web ACLs and the API's internal load balancer, from Python."""
    stack = new_stack("PythonEdge")
    network = PlatformNetwork(stack, "Network", stage=PlatformStage.PRODUCTION, availability_zones=AZS)
    api = ApiLoadBalancer(
        stack,
        "Api",
        stage=PlatformStage.PRODUCTION,
        vpc=network.vpc,
        security_group=network.load_balancer_security_group,
        certificate=acm.Certificate.from_certificate_arn(stack, "OriginCert", "arn:aws:acm:us-east-1:123456789012:certificate/abc"),
        domain_name="api-origin.innovate.example",
        web_acl_mode=WebAclMode.COUNT,
    )
    WebFrontend(
        stack,
        "Web",
        stage=PlatformStage.PRODUCTION,
        domain_names=["app.innovate.example"],
        certificate=acm.Certificate.from_certificate_arn(stack, "AppCert", "arn:aws:acm:us-east-1:123456789012:certificate/def"),
        api=WebFrontendApiOptions(load_balancer=api.load_balancer, domain_name=api.domain_name),
    )
    template = stack.node.root.synth().get_stack_by_name("PythonEdge").template
    scopes = sorted(a["Properties"]["Scope"] for a in resources_of(template, "AWS::WAFv2::WebACL"))
    assert scopes == ["CLOUDFRONT", "REGIONAL"], scopes
    distribution = resources_of(template, "AWS::CloudFront::Distribution")[0]["Properties"]["DistributionConfig"]
    assert distribution["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021", distribution
    assert [b["PathPattern"] for b in distribution["CacheBehaviors"]] == ["/api/*"]
    assert len(resources_of(template, "AWS::CloudFront::VpcOrigin")) == 1
    assert ApiLoadBalancer.VIEWER_IP_HEADER == "X-Viewer-Ip"
    try:
        WebFrontend(new_stack("PythonEdgeBad"), "Web", stage=PlatformStage.PRODUCTION)
    except Exception as err:
        assert "needs a custom domain and its certificate" in str(err), err
    else:
        raise AssertionError("production without a custom domain was accepted")


def network_app(nat_gateways: int) -> cdk.App:
    """A production network tagged with its stage, in an app of its own."""
    stack = new_stack("PythonCost")
    PlatformNetwork(stack, "Network", stage=PlatformStage.PRODUCTION, availability_zones=AZS, nat_gateways=nat_gateways)
    CostAllocationTags.apply(stack, environment="production", team="platform", cost_center="CC-1")
    return stack.node.root


def estimates_the_cost() -> None:
    """CostEstimate over an assembly from Python: lines, a usage override, the diff of an added NAT gateway."""
    before = CostEstimate.from_assembly(network_app(1).synth())
    after = CostEstimate.from_assembly(network_app(2).synth(), usage=UsageAssumptions(nat_data_gb_per_month=0))
    nat_hours = [line for s in after.stacks for line in s.lines if line.price_key == "nat.hour"]
    assert [line.monthly_usd for line in nat_hours] == [32.85, 32.85], nat_hours
    assert after.stacks[0].stage == "production"
    assert after.not_priced == []
    assert len(after.top_drivers(5)) == 5
    assert UsageProfile.for_stage(PlatformStage.PRODUCTION).karpenter_baseline_nodes == StageProfiles.PRODUCTION.cluster.baseline_nodes
    diff = CostEstimate.diff(before, CostEstimate.from_assembly(network_app(2).synth()))
    added = [line for line in diff.lines if line.change == "added" and line.price_key == "nat.hour"]
    assert [line.change_usd for line in added] == [32.85], diff.to_markdown()
    assert "# Monthly cost change: +$" in diff.to_markdown()


def guards_the_cost() -> None:
    """CostGuard as a validation plugin from Python: passes below its limit, fails synth above it."""
    app = network_app(1)
    cdk.Validations.of(app).add_plugins(CostGuard(max_monthly_usd_per_stage={"production": 100000}))
    assembly = app.synth()
    with open(os.path.join(assembly.directory, "cost-estimate.json")) as f:
        assert json.load(f)["byStage"]["production"] > 0
    app = network_app(1)
    cdk.Validations.of(app).add_plugins(CostGuard(max_monthly_usd=10))
    assembly = app.synth()
    with open(os.path.join(assembly.directory, "validation-report.json")) as f:
        reports = [r for r in json.load(f)["pluginReports"] if r["pluginName"] == "CostGuard"]
    assert reports and "exceeds maxMonthlyUsd $10.00" in reports[0]["violations"][0]["description"], reports


def rejects_bad_input() -> None:
    stack = new_stack("PythonBadInput")
    try:
        PlatformNetwork(stack, "Network", nat_gateways=9, availability_zones=AZS)
    except Exception as err:  # jsii surfaces the JavaScript error as RuntimeError
        assert "invalid natGateways 9: must be an integer from 1 to 3" in str(err), err
    else:
        raise AssertionError("natGateways=9 was accepted")
    stack = new_stack("PythonBadCluster")
    network = PlatformNetwork(stack, "Network", availability_zones=AZS)
    try:
        ObservableEksCluster(stack, "Cluster", vpc=network.vpc, kubectl_layer=KubectlV35Layer(stack, "Kubectl"), kubernetes_version="1.99")
    except Exception as err:
        assert 'invalid kubernetesVersion "1.99": must be one of 1.32, 1.33, 1.34, 1.35' in str(err), err
    else:
        raise AssertionError("kubernetesVersion=1.99 was accepted")


if __name__ == "__main__":
    checks = [
        synthesizes_the_network,
        synthesizes_the_database,
        synthesizes_the_cluster,
        synthesizes_the_edge,
        estimates_the_cost,
        guards_the_cost,
        rejects_bad_input,
    ]
    for check in checks:
        check()
        print(f"ok   python: {check.__name__}")
    print(f"python binding: {len(checks)} passed, 0 failed")
