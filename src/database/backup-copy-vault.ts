import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PlatformStage, StageProfiles } from '../profiles';

/**
 * Properties of a `BackupCopyVault`.
 */
export interface BackupCopyVaultProps {
  /**
   * Name of the vault; `SecureRds.backupCopyVaultArn` is built from it.
   *
   * @default BackupCopyVault.DEFAULT_VAULT_NAME ('innovate-disaster-recovery')
   */
  readonly backupVaultName?: string;
}

/**
 * The disaster-recovery side of `SecureRds.backupCopyVaultArn`: an AWS
 * Backup vault in another region (the seed's us-west-2), encrypted with its
 * own customer-managed key, that accepts copies from this account only, and
 * is always retained. Deploy it in a stack of the recovery region.
 *
 * @example
 * const dr = new Stack(app, 'DisasterRecovery', { env: { account, region: 'us-west-2' } });
 * const vault = new BackupCopyVault(dr, 'Vault');
 * new SecureRds(primary, 'Database', { vpc, backupCopyVaultArn: vault.backupVaultArn });
 */
export class BackupCopyVault extends Construct {
  /** Name of the vault unless `backupVaultName` says otherwise. */
  public static readonly DEFAULT_VAULT_NAME = 'innovate-disaster-recovery';

  /**
   * The ARN of a `BackupCopyVault` in `region` of the account of `scope`'s
   * stack, for `SecureRds.backupCopyVaultArn` without a cross-region
   * reference between stacks.
   *
   * @param scope any construct in the stack of the database
   * @param region region of the vault; default: the production preset's `backup.replicaRegion` (us-west-2)
   * @param backupVaultName name of the vault
   */
  public static arnInRegion(scope: Construct, region?: string, backupVaultName: string = BackupCopyVault.DEFAULT_VAULT_NAME): string {
    return Stack.of(scope).formatArn({
      service: 'backup',
      region: region ?? StageProfiles.of(PlatformStage.PRODUCTION).backup.replicaRegion,
      resource: 'backup-vault',
      resourceName: backupVaultName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The vault. */
  public readonly vault: backup.BackupVault;
  /** ARN of the vault, for `SecureRds.backupCopyVaultArn`. */
  public readonly backupVaultArn: string;
  /** Key encrypting the copies. */
  public readonly encryptionKey: kms.Key;

  constructor(scope: Construct, id: string, props: BackupCopyVaultProps = {}) {
    super(scope, id);
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
