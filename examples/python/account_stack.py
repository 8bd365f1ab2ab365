"""The account-wide stack of Phase 1 (account-stack.ts of the TypeScript app, in Python)."""
from typing import List, Mapping, Optional

import aws_cdk as cdk
from constructs import Construct
from innovate_platform_constructs import (
    AccessPrincipals,
    AccountAccess,
    AccountBaseline,
    ContainerRegistry,
    CostAllocationTags,
    CostGovernance,
    CostReports,
    CostReportsOptions,
    EnvironmentBudget,
    GithubDeployRoles,
    PlatformStage,
    SecurityAlertsOptions,
    StageProfiles,
)



#: The production buckets of the reference app (as in the TypeScript app).
PRODUCTION_BUCKET_NAMES = [
    "innovateproduction*",
    "innovateprouction-web-*",
    "innovate-velero-replica-*",
    "innovateaccount-baseline*",
    "innovateaccount-budgetsreports*",
]

class AccountStack(cdk.Stack):
    """What Phase 1 sets up once for the single account.

    Engineers and finance separated by IAM with production reserved to senior
    engineers, the audit baseline, budgets, the container registry both
    clusters pull from, and the GitHub Actions deploy roles that push to it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        monthly_budget_usd: float,
        environment_budgets_usd: Mapping[str, float],
        finance_emails: List[str],
        cto_email: str,
        security_alert_emails: List[str],
        github_owner: str,
        github_repository: str,
        production_cdk_qualifier: str,
        env: Optional[cdk.Environment] = None,
        description: Optional[str] = None,
        termination_protection: Optional[bool] = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=env,
            description=description,
            termination_protection=termination_protection,
        )
        CostAllocationTags.apply(self, environment="shared", team="platform", cost_center="engineering")

        #: Engineers, senior engineers and finance, separated by IAM.
        self.access = AccountAccess(
            self,
            "Access",
            principals=AccessPrincipals.roles(),
            production_bootstrap_qualifier=production_cdk_qualifier,
            # S3 ignores the environment tag in IAM conditions, so the
            # production buckets are named (generated names start with the
            # lowercased stack name; the SPA bucket, Velero's replica and the
            # audit archive of this stack).
            production_bucket_names=PRODUCTION_BUCKET_NAMES,
        )
        AccountBaseline(
            self,
            "Baseline",
            stage=PlatformStage.PRODUCTION,
            security_alerts=SecurityAlertsOptions(emails=security_alert_emails),
        )
        CostGovernance(
            self,
            "Budgets",
            stage=PlatformStage.PRODUCTION,
            monthly_budget_usd=monthly_budget_usd,
            environment_budgets=[
                EnvironmentBudget(environment=environment, monthly_budget_usd=budget)
                for environment, budget in environment_budgets_usd.items()
            ],
            finance_emails=finance_emails,
            cto_email=cto_email,
            # CUR 2.0 export and an anomaly monitor per environment (the budgets'
            # environments); the export needs a region that offers it.
            cost_reports=CostReportsOptions(data_export=self.region in CostReports.DATA_EXPORT_REGIONS),
        )

        # One registry for both environments: an image is built once, tested in
        # development and promoted to production by its tag.
        self.registry = ContainerRegistry(
            self, "Registry", stage=PlatformStage.PRODUCTION, repository_prefix="innovate/"
        )
        #: The GitHub Actions deploy role of each environment.
        self.deploy_roles = GithubDeployRoles(
            self,
            "GithubDeploy",
            owner=github_owner,
            repository=github_repository,
            image_repositories=self.registry.repository_list,
            production_cdk_qualifier=production_cdk_qualifier,
            # The home region, the recovery region and us-east-1 (the edge
            # stack's region when home is elsewhere), each once.
            deploy_regions=list(dict.fromkeys([self.region, StageProfiles.PRODUCTION.backup.replica_region, "us-east-1"])),
        )
