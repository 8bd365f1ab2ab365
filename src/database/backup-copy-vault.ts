import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { resolveProfile } from '../private/stage';
import { propError } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';

/** AWS Backup vault names: 2 to 50 letters, digits, hyphens and underscores. */
const VAULT_NAME = /^[a-zA-Z0-9\-_]{2,50}$/;

/**
 * Properties of a `BackupCopyVault`.
 */
export interface BackupCopyVaultProps extends StagedProps {
  /**
   * Name of the vault (2 to 50 letters, digits, hyphens and underscores);
   * `BackupCopyVault.vaultInRegion` finds it by this name.
   *
   * @default BackupCopyVault.DEFAULT_VAULT_NAME ('innovate-disaster-recovery')
   */
  readonly backupVaultName?: string;
}

/**
 * The disaster-recovery side of a database's `copyVault`: an AWS Backup
 * vault in another region (the profile's `backup.replicaRegion`), encrypted
 * with its own customer-managed key, that accepts copies from this account
 * only, and is always retained. Deploy it in a stack of the recovery region.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import { BackupCopyVault, SecureRds } from '@innovate-inc/platform-constructs';
 *
 * declare const app: App;
 * declare const primary: Stack;
 * declare const vpc: ec2.IVpc;
 *
 * const dr = new Stack(app, 'DisasterRecovery', { env: { account: primary.account, region: 'us-west-2' } });
 * new BackupCopyVault(dr, 'Vault');
 * new SecureRds(primary, 'Database', { vpc, copyVault: BackupCopyVault.vaultInRegion(primary, 'CopyVault', 'us-west-2') });
 */
export class BackupCopyVault extends Construct {
  /** Name of the vault unless `backupVaultName` says otherwise. */
  public static readonly DEFAULT_VAULT_NAME = 'innovate-disaster-recovery';

  /**
   * A `BackupCopyVault` in `region` of the account of `scope`'s stack, for a
   * database's `copyVault`, without a cross-region reference between stacks.
   *
   * @param scope the scope of the imported vault, in the stack of the database
   * @param id its construct ID
   * @param region region of the vault; default: the profile's `backup.replicaRegion`
   * @param backupVaultName name of the vault
   * @param profile the profile whose `backup.replicaRegion` is the default region; default: the production preset
   */
  public static vaultInRegion(scope: Construct, id: string, region?: string, backupVaultName?: string, profile?: StageProfile): backup.IBackupVault {
    return backup.BackupVault.fromBackupVaultArn(scope, id, BackupCopyVault.arnInRegion(scope, region, backupVaultName, profile));
  }

  /**
   * The ARN of a `BackupCopyVault` in `region` of the account of `scope`'s
   * stack, without a cross-region reference between stacks.
   *
   * @param scope any construct in the stack of the database
   * @param region region of the vault; default: the profile's `backup.replicaRegion`
   * @param backupVaultName name of the vault
   * @param profile the profile whose `backup.replicaRegion` is the default region; default: the production preset
   */
  public static arnInRegion(
    scope: Construct, region?: string, backupVaultName: string = BackupCopyVault.DEFAULT_VAULT_NAME, profile?: StageProfile,
  ): string {
    validateVaultName(scope, backupVaultName);
    const resolved = resolveProfile(scope, { profile });
    const vaultRegion = region ?? resolved.backup.replicaRegion;
    if (vaultRegion === '') {
      throw propError(scope, 'BackupCopyVault region', vaultRegion,
        `is required: the ${resolved.stage} profile names no recovery region (its backup.replicaRegion is empty)`);
    }
    return Stack.of(scope).formatArn({
      service: 'backup',
      region: vaultRegion,
      resource: 'backup-vault',
      resourceName: backupVaultName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The vault. */
  public readonly vault: backup.BackupVault;
  /** ARN of the vault. */
  public readonly backupVaultArn: string;
  /** Key encrypting the copies. */
  public readonly encryptionKey: kms.Key;

  constructor(scope: Construct, id: string, props: BackupCopyVaultProps = {}) {
    super(scope, id);
    resolveProfile(this, props);
    validateVaultName(this, props.backupVaultName ?? BackupCopyVault.DEFAULT_VAULT_NAME);
    const stack = Stack.of(this);
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts disaster-recovery backup copies in ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.backupVaultName ?? BackupCopyVault.DEFAULT_VAULT_NAME,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      accessPolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'OnlyThisAccountCopiesIn',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['backup:CopyIntoBackupVault'],
            resources: ['*'],
            conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
          }),
          new iam.PolicyStatement({
            sid: 'NobodyDeletesRecoveryPoints',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
            resources: ['*'],
            conditions: { StringNotLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/backup.amazonaws.com/*` } },
          }),
        ],
      }),
    });
    this.backupVaultArn = this.vault.backupVaultArn;
  }
}

function validateVaultName(scope: Construct, name: string): void {
  if (!Token.isUnresolved(name) && !VAULT_NAME.test(name)) {
    throw propError(scope, 'backupVaultName', name, 'must be 2 to 50 letters, digits, hyphens or underscores (AWS Backup\'s rule)');
  }
}
