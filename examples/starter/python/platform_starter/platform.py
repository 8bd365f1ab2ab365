"""One environment of the platform: network, PostgreSQL, EKS with its
operations, registry, web frontend and API load balancer, alarms.

Its stacks are ``Innovate<Stage>Shared`` (this app's: the kubectl layer),
``Innovate<Stage>Network``, ``Innovate<Stage>``, ``Innovate<Stage>Data``,
``Innovate<Stage>Cluster``, ``Innovate<Stage>Operations``, and when needed
``Innovate<Stage>Edge`` (us-east-1) and ``Innovate<Stage>DisasterRecovery``
(production's recovery region): ``cdk deploy 'Innovate<Stage>*'`` deploys
them all, in order.
"""
import json
from pathlib import Path
from typing import List

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53
from aws_cdk.lambda_layer_kubectl_v35 import KubectlV35Layer
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from innovate_platform_constructs import (
    AdminAccessMethod,
    InnovatePlatform,
    InnovatePlatformAlarmOptions,
    InnovatePlatformClusterOptions,
    InnovatePlatformEdgeOptions,
    PlatformStage,
)

from .config import StarterConfig


def build_platform(app: cdk.App, config: StarterConfig) -> InnovatePlatform:
    """The environment of ``config``, with the four compliance packs on the app."""
    # A concrete account and region: the platform's stacks name their
    # Availability Zones themselves, so development synthesizes with no AWS
    # credentials; production's bastion AMI is looked up once (app.py).
    env = cdk.Environment(account=config.account, region=config.region)
    production = config.stage == "production"
    prefix = "InnovateProduction" if production else "InnovateDevelopment"

    # What the platform uses but does not own lives in a stack of yours: the
    # kubectl layer of the cluster's Kubernetes version, and the hosted zone
    # (imported by ID and name, so synthesis needs no AWS account).
    shared = cdk.Stack(
        app,
        f"{prefix}Shared",
        env=env,
        description=f"Innovate Inc. {config.stage}: what the platform uses but does not own (the kubectl layer)",
        termination_protection=production,
    )
    kubectl_layer = KubectlV35Layer(shared, "KubectlLayer")
    hosted_zone = route53.HostedZone.from_hosted_zone_attributes(
        shared, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.domain_name
    )

    platform = InnovatePlatform(
        app,
        "Platform",
        env=env,
        stage=PlatformStage.PRODUCTION if production else PlatformStage.DEVELOPMENT,
        cluster=InnovatePlatformClusterOptions(
            kubectl_layer=kubectl_layer, cluster_admin_role_arns=config.cluster_admin_role_arns
        ),
        edge=InnovatePlatformEdgeOptions(hosted_zone=hosted_zone),
        alarms=InnovatePlatformAlarmOptions(
            critical_emails=[config.alarm_email], warning_emails=[config.alarm_email]
        ),
        # The administrators' way in to the database and the cluster's private
        # endpoint: an SSM Session Manager bastion (no inbound port). For a
        # Client VPN with IAM Identity Center, use AdminAccessMethod.client_vpn(...).
        # Its image: bastion_ami when set, otherwise the latest Amazon Linux 2023
        # (arm64), pinned in cdk.context.json for production.
        admin_access=AdminAccessMethod.ssm_bastion(
            machine_image=ec2.MachineImage.generic_linux({config.region: config.bastion_ami})
            if config.bastion_ami
            else None
        ),
    )

    # The four compliance packs the library is checked with, at every synth.
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
    )
    return platform


def compliance_findings(assembly_directory: str) -> List[str]:
    """Every unacknowledged finding of the packs in the assembly's validation-report.json.

    A failing pack sets the exit code of the jsii kernel (Node.js), not of
    Python: app.py reads the report and fails itself.
    """
    report_file = Path(assembly_directory) / "validation-report.json"
    if not report_file.exists():
        return [f"no {report_file}: the compliance packs did not run"]
    report = json.loads(report_file.read_text())
    return [
        f"{plugin['pluginName']}: {violation['ruleName']} at {construct['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]
