#!/usr/bin/env python3
"""The design's Phase 1 in Python: one AWS account, two separate environments.

The same app as examples/phase1-single-account (TypeScript), built on the
`innovate-platform-constructs` wheel. It reads the context of the TypeScript
app's cdk.json, so both apps synthesize the same configuration.

    python app.py              # writes cdk.out/ (or $CDK_OUTDIR)
    cdk synth                  # the same through the CDK CLI (cdk.json here)
"""
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping

import aws_cdk as cdk
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.lambda_layer_kubectl_v35 import KubectlV35Layer
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from innovate_platform_constructs import (
    AdminAccessMethod,
    InnovatePlatform,
    InnovatePlatformAlarmOptions,
    InnovatePlatformClusterOptions,
    InnovatePlatformEdgeOptions,
    InnovatePlatformNetworkOptions,
    PlatformStage,
    PrometheusStackOptions,
    StageProfiles,
    VeleroBackupOptions,
)

from account_stack import AccountStack

#: The TypeScript app's cdk.json: its context is this app's configuration.
TYPESCRIPT_CDK_JSON = Path(__file__).resolve().parent.parent / "phase1-single-account" / "cdk.json"


def example_app() -> cdk.App:
    """An app with the Phase 1 context, as the CDK CLI would load it."""
    context: Dict[str, Any] = json.loads(TYPESCRIPT_CDK_JSON.read_text())["context"]
    return cdk.App(context=context)


def required_context(app: cdk.App, key: str) -> str:
    """A context value the example needs (cdk.json, or -c key=value)."""
    value = app.node.try_get_context(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f'examples/python: set "{key}" in cdk.json\'s context or pass -c {key}=...')
    return value


def build_phase1(app: cdk.App) -> List[cdk.Stack]:
    """Account-wide stack and the two environments (see app.ts for the design notes)."""
    env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=os.environ.get("CDK_DEFAULT_REGION", "us-east-1"),
    )
    production_qualifier = required_context(app, "productionCdkQualifier")

    # Each environment's budget from the presets, the account's their sum. The
    # keys are the environments' `environment` tag values ("development",
    # "production"): Python's PlatformStage members carry their names instead.
    budgets: Mapping[str, float] = {
        "development": StageProfiles.DEVELOPMENT.cost.monthly_budget_usd,
        "production": StageProfiles.PRODUCTION.cost.monthly_budget_usd,
    }
    account = AccountStack(
        app,
        "InnovateAccount",
        env=env,
        description="Innovate Inc. Phase 1: account access, audit baseline and budgets",
        termination_protection=True,
        monthly_budget_usd=sum(budgets.values()),
        environment_budgets_usd=budgets,
        finance_emails=[required_context(app, "financeEmail")],
        cto_email=required_context(app, "ctoEmail"),
        security_alert_emails=[required_context(app, "alertEmail")],
        github_owner=required_context(app, "githubOwner"),
        github_repository=required_context(app, "githubRepository"),
        production_cdk_qualifier=production_qualifier,
    )
    # Shared by both environments: the kubectl layer of the clusters' Kubernetes
    # version (PyPI has the package, as npm does) and the alert receivers' keys.
    kubectl_layer = KubectlV35Layer(account, "KubectlLayer")

    def secret(construct_id: str, name: str) -> secretsmanager.ISecret:
        return secretsmanager.Secret.from_secret_name_v2(account, construct_id, name)

    slack_alerts = secret("SlackAlertsWebhook", "innovate/alerting/slack-alerts-webhook")
    slack_monitoring = secret("SlackMonitoringWebhook", "innovate/alerting/slack-monitoring-webhook")
    alert_emails = [required_context(app, "alertEmail")]
    alarms = InnovatePlatformAlarmOptions(critical_emails=alert_emails, warning_emails=alert_emails)

    domain_name = required_context(app, "domainName")

    def zone(construct_id: str, hosted_zone_id: str, zone_name: str) -> route53.IHostedZone:
        return route53.HostedZone.from_hosted_zone_attributes(
            account, construct_id, hosted_zone_id=hosted_zone_id, zone_name=zone_name
        )

    senior_role = account.access.senior_engineering_role
    engineer_role = account.access.engineering_role
    assert senior_role is not None and engineer_role is not None  # AccessPrincipals.roles() creates both
    # The Flask API (namespace `backend`) and the React SPA's server (`frontend`), both backed up.
    backup = VeleroBackupOptions(backup_namespaces=["backend", "frontend"])

    def cluster(monitoring: PrometheusStackOptions) -> InnovatePlatformClusterOptions:
        return InnovatePlatformClusterOptions(
            kubectl_layer=kubectl_layer,
            cluster_admin_role_arns=[senior_role.role_arn],
            engineer_role_arns=[engineer_role.role_arn],
            backup=backup,
            monitoring=monitoring,
        )

    development = InnovatePlatform(
        app,
        "Development",
        env=env,
        stage=PlatformStage.DEVELOPMENT,
        network=InnovatePlatformNetworkOptions(vpc_cidr="10.1.0.0/16"),
        cluster=cluster(
            PrometheusStackOptions(
                slack_alerts_webhook_secret=slack_alerts,
                slack_monitoring_webhook_secret=slack_monitoring,
            )
        ),
        edge=InnovatePlatformEdgeOptions(
            hosted_zone=zone(
                "DevelopmentZone", required_context(app, "developmentHostedZoneId"), f"dev.{domain_name}"
            )
        ),
        alarms=alarms,
        registry=account.registry,
        deploy_role=account.deploy_roles.role_for(PlatformStage.DEVELOPMENT),
        admin_access=AdminAccessMethod.ssm_bastion(),
    )
    production = InnovatePlatform(
        app,
        "Production",
        env=env,
        stage=PlatformStage.PRODUCTION,
        bootstrap_qualifier=production_qualifier,
        network=InnovatePlatformNetworkOptions(vpc_cidr="10.0.0.0/16"),
        cluster=cluster(
            PrometheusStackOptions(
                pager_duty_secret=secret("PagerDutyKey", "innovate/alerting/pagerduty-routing-key"),
                slack_alerts_webhook_secret=slack_alerts,
                slack_monitoring_webhook_secret=slack_monitoring,
            )
        ),
        edge=InnovatePlatformEdgeOptions(
            hosted_zone=zone("ProductionZone", required_context(app, "productionHostedZoneId"), domain_name)
        ),
        alarms=alarms,
        registry=account.registry,
        deploy_role=account.deploy_roles.role_for(PlatformStage.PRODUCTION),
    )
    for platform in (development, production):
        # The SPA's server needs nothing but its ingress.
        port = platform.network.application_port
        platform.cluster.add_application_namespace(
            "frontend",
            ingress_ports=[port],
            allow_database_egress=False,
            https_egress_cidrs=[],
            metrics_port=port,
        )
    return [account, *development.stacks, *production.stacks]


def add_compliance_packs(app: cdk.App) -> None:
    """The four cdk-nag packs at synthesis: an unacknowledged finding fails synth."""
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
    )


if __name__ == "__main__":
    phase1 = example_app()
    build_phase1(phase1)
    add_compliance_packs(phase1)
    phase1.synth()
