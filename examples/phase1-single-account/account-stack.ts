import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  AccessPrincipals, AccountAccess, AccountBaseline, ContainerRegistry, CostAllocationTags, CostGovernance, CostReports, GithubDeployRoles,
  PlatformStage, StageProfiles,
} from '../../src';

/**
 * Properties of the account-wide stack of Phase 1.
 */
export interface AccountStackProps extends StackProps {
  /** Monthly budget of the whole account, in USD. */
  readonly monthlyBudgetUsd: number;
  /** Monthly budget of each environment (by its `environment` tag), in USD. */
  readonly environmentBudgetsUsd: { [environment: string]: number };
  /** Who receives the budget alerts (the finance team and the CTO). */
  readonly financeEmails: string[];
  readonly ctoEmail: string;
  /** Who receives the real-time security alerts (GuardDuty, Security Hub, root sign-ins, IAM/trail changes). */
  readonly securityAlertEmails: string[];
  /** GitHub owner and repository whose Actions workflows deploy. */
  readonly githubOwner: string;
  readonly githubRepository: string;
  /** CDK bootstrap qualifier of the production stacks (seniors and the production CI role only). */
  readonly productionCdkQualifier: string;
}

/**
 * The production buckets of the reference app (checked against the
 * synthesized app by test/access/account-access-buckets.test.ts).
 */
export const PRODUCTION_BUCKET_NAMES = ['innovateproduction*', 'innovateprouction-web-*', 'innovate-velero-replica-*', 'innovateaccount-baseline*', 'innovateaccount-budgetsreports*'];

/**
 * What Phase 1 sets up once for the single account (design: "Cloud Environment
 * Structure", "Compliance & Auditing", "Cost Management"): engineers and
 * finance separated by IAM with production reserved to senior engineers,
 * the audit baseline, budgets, the container registry both clusters pull
 * from, and the GitHub Actions deploy roles that push to it.
 */
export class AccountStack extends Stack {
  public readonly registry: ContainerRegistry;
  /** Engineers, senior engineers and finance, separated by IAM. */
  public readonly access: AccountAccess;
  /** The GitHub Actions deploy role of each environment. */
  public readonly deployRoles: GithubDeployRoles;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    CostAllocationTags.apply(this, { environment: 'shared', team: 'platform', costCenter: 'engineering' });

    this.access = new AccountAccess(this, 'Access', {
      principals: AccessPrincipals.roles(),
      productionBootstrapQualifier: props.productionCdkQualifier,
      // S3 ignores the environment tag in IAM conditions, so the production
      // buckets are named: CloudFormation's generated names start with the
      // lowercased stack name; the SPA bucket and Velero's replica have
      // names of their own; the audit archive of this stack.
      productionBucketNames: PRODUCTION_BUCKET_NAMES,
    });
    new AccountBaseline(this, 'Baseline', { stage: PlatformStage.PRODUCTION, securityAlerts: { emails: props.securityAlertEmails } });
    new CostGovernance(this, 'Budgets', {
      stage: PlatformStage.PRODUCTION,
      monthlyBudgetUsd: props.monthlyBudgetUsd,
      environmentBudgets: Object.entries(props.environmentBudgetsUsd).map(([environment, monthlyBudgetUsd]) => ({ environment, monthlyBudgetUsd })),
      financeEmails: props.financeEmails,
      ctoEmail: props.ctoEmail,
      // CUR 2.0 export and an anomaly monitor per environment (the budgets'
      // environments); the export needs a region that offers it.
      costReports: { dataExport: CostReports.DATA_EXPORT_REGIONS.includes(this.region) },
    });

    // One registry for both environments: an image is built once, tested in
    // development and promoted to production by its tag.
    this.registry = new ContainerRegistry(this, 'Registry', { stage: PlatformStage.PRODUCTION, repositoryPrefix: 'innovate/' });
    this.deployRoles = new GithubDeployRoles(this, 'GithubDeploy', {
      owner: props.githubOwner,
      repository: props.githubRepository,
      imageRepositories: this.registry.repositoryList,
      productionCdkQualifier: props.productionCdkQualifier,
      // The home region, the recovery region and us-east-1, where the edge
      // stack (CloudFront's certificate and web ACL) lives when home is elsewhere.
      deployRegions: [...new Set([this.region, StageProfiles.PRODUCTION.backup.replicaRegion, 'us-east-1'])],
    });
  }
}
