import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformStage } from '../../src/profiles';
import { Vault, VaultProps, VaultStorageBackend } from '../../src/secrets/vault';
import { VaultStore, VaultStoreProps } from '../../src/secrets/vault-store';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

/** A CloudFormation value as text: `<Ref>`, `<Resource.Attr>`, `<import:Name>`. */
function render(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(render).join(value['Fn::Join'][0]);
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}>`;
  if (value['Fn::ImportValue']) return `<import:${render(value['Fn::ImportValue'])}>`;
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

function vaultValues(template: Template): any {
  const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Release === 'vault');
  expect(charts).toHaveLength(1);
  return JSON.parse(render((charts[0] as any).Properties.Values));
}

function serverStatements(template: Template): any[] {
  const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([key]) => key.startsWith('VaultServerRolePolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0][1] as any).Properties.PolicyDocument.Statement;
}

/** Resources of `type` whose logical ID starts with `prefix`. */
function resources(template: Template, type: string, prefix: string): Array<[string, any]> {
  return Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
}

/** A resource with references to its sibling keys and its description replaced, to compare settings. */
function settings(resource: any): any {
  return JSON.parse(JSON.stringify(resource)
    .replace(/"[A-Za-z]+?(SealKey|TableKey)[0-9A-F]{8}"/g, '"<$1>"')
    .replace(/"Description":"[^"]*"/g, '"Description":"-"'));
}

/** A data stack with the store and an operations stack with the cluster and the Vault using it. */
function split(storeProps: VaultStoreProps = {}, vaultProps: Partial<VaultProps> = {}, app: App = newTestApp()) {
  const data = newTestStack(app, 'Data');
  const ops = newTestStack(app, 'TestStack');
  const store = new VaultStore(data, 'VaultStore', storeProps);
  const cluster = newBareTestCluster(ops);
  const vault = new Vault(ops, 'Vault', { cluster, store, ...vaultProps });
  return { app, data, ops, store, vault };
}

describe('VaultStore alone', () => {
  test('production: seal key, table key and table, retained, deletion-protected, PITR, the same settings as inside a Vault', () => {
    const stack = newTestStack();
    const store = new VaultStore(stack, 'VaultStore');
    const template = Template.fromStack(stack);
    expect(store.storage).toBe(VaultStorageBackend.DYNAMODB);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 2);
    for (const [, key] of Object.entries(template.findResources('AWS::KMS::Key'))) {
      expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    const [, table] = Object.entries(template.findResources('AWS::DynamoDB::Table'))[0] as [string, any];
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(store.tableKey!.node.defaultChild as any), 'Arn'] } },
      KeySchema: [{ AttributeName: 'Path', KeyType: 'HASH' }, { AttributeName: 'Key', KeyType: 'RANGE' }],
    });

    // The same resources, with the same settings, as a Vault creates for itself.
    const inside = newTestStack();
    new Vault(inside, 'Vault', { cluster: newBareTestCluster(inside) });
    const vaultTemplate = Template.fromStack(inside);
    for (const type of ['AWS::KMS::Key', 'AWS::DynamoDB::Table']) {
      const own = resources(template, type, 'VaultStore').map(([, r]) => settings(r));
      const vaults = resources(vaultTemplate, type, 'Vault').map(([, r]) => settings(r));
      expect(own).toHaveLength(type === 'AWS::KMS::Key' ? 2 : 1);
      expect(own).toEqual(vaults);
    }
  });

  test('development: deleted with the stack, no deletion protection', () => {
    const stack = newTestStack();
    new VaultStore(stack, 'VaultStore', { stage: PlatformStage.DEVELOPMENT });
    const template = Template.fromStack(stack);
    for (const r of Object.values({ ...template.findResources('AWS::KMS::Key'), ...template.findResources('AWS::DynamoDB::Table') })) {
      expect(r).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  test('Raft: the seal key only', () => {
    const stack = newTestStack();
    const store = new VaultStore(stack, 'VaultStore', { storage: VaultStorageBackend.RAFT });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(store.table).toBeUndefined();
    expect(store.tableKey).toBeUndefined();
    expect(store.serverPolicyStatements().map((s) => s.sid)).toEqual(['AutoUnseal']);
  });

  test('serverPolicyStatements: seal, table, and the table key through DynamoDB only; a new set on every call', () => {
    const stack = newTestStack();
    const store = new VaultStore(stack, 'VaultStore');
    const statements = store.serverPolicyStatements();
    expect(statements.map((s) => s.sid)).toEqual(['AutoUnseal', 'Storage', 'StorageEncryptionThroughDynamoDB']);
    expect(stack.resolve(statements[2].toStatementJson().Condition)).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } });
    expect(store.serverPolicyStatements()[0]).not.toBe(statements[0]);
  });

  test('the table is backed up every 6 hours and kept 30 days in production (7 in development), by a role limited to this table', () => {
    const stack = newTestStack();
    const store = new VaultStore(stack, 'VaultStore');
    const template = Template.fromStack(stack);
    const tableId = stack.getLogicalId(store.table!.node.defaultChild as any);
    const keyId = stack.getLogicalId(store.tableKey!.node.defaultChild as any);
    expect(store.backupPlan).toBeDefined();
    // AWS Backup's cron (UTC): minute 0 of hours 0, 6, 12 and 18; recovery points expire after 30 days.
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [Match.objectLike({
          RuleName: 'Every6Hours', ScheduleExpression: 'cron(0 0/6 * * ? *)', Lifecycle: { DeleteAfterDays: 30 },
        })],
      },
    });
    // The selection is the Vault table, nothing else.
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] }),
    });
    // A retained vault encrypted with the table's key.
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'BackUpTheTable', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }),
          Match.objectLike({ Sid: 'ManageItsBackups', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/backup/*']] } }),
        ]),
      }),
    });
    // No AWS-managed policy on the backup role: the statements above are its permissions.
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSBackupServiceRolePolicyForBackup');

    const dev = newTestStack();
    new VaultStore(dev, 'VaultStore', { stage: PlatformStage.DEVELOPMENT });
    Template.fromStack(dev).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 0/6 * * ? *)', Lifecycle: { DeleteAfterDays: 7 } })] },
    });
  });

  test('Raft: no table, no backup plan (Raft snapshots are the runbook\'s)', () => {
    const stack = newTestStack();
    const store = new VaultStore(stack, 'VaultStore', { storage: VaultStorageBackend.RAFT });
    expect(store.backupPlan).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  test.each([
    ['production, DynamoDB', {}],
    ['development, DynamoDB', { stage: PlatformStage.DEVELOPMENT }],
    ['production, Raft', { storage: VaultStorageBackend.RAFT }],
  ])('%s: the four packs report nothing', (_name, props: VaultStoreProps) => {
    const stack = newTestStack(newTestApp());
    new VaultStore(stack, 'VaultStore', props);
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('Vault with a store in another stack', () => {
  const { data, ops, store, vault } = split();
  const template = Template.fromStack(ops);
  const dataTemplate = Template.fromStack(data);

  test('creates no key or table of its own and exposes the store\'s', () => {
    expect(resources(template, 'AWS::KMS::Key', 'Vault')).toEqual([]);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(vault.sealKey).toBe(store.sealKey);
    expect(vault.table).toBe(store.table);
    expect(vault.tableKey).toBe(store.tableKey);
    expect(vault.backupPlan).toBe(store.backupPlan);
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    expect(vault.storage).toBe(VaultStorageBackend.DYNAMODB);
  });

  test('the chart values name the store\'s seal key and table', () => {
    const seal = vaultValues(template).server.ha.config as string;
    const sealKey = data.getLogicalId(store.sealKey.node.defaultChild as any);
    const table = data.getLogicalId(store.table!.node.defaultChild as any);
    expect(seal).toMatch(new RegExp(`kms_key_id *= *"<import:Data:ExportsOutputFnGetAtt${sealKey}Arn[0-9A-F]{8}>"`));
    expect(seal).toMatch(new RegExp(`table *= *"<import:Data:ExportsOutputRef${table}[0-9A-F]{8}>"`));
  });

  test('the server role\'s own policy allows the store\'s key and table; nothing is written into the store\'s stack', () => {
    const statements = serverStatements(template);
    expect(statements.map((s) => s.Sid)).toEqual(['AutoUnseal', 'Storage', 'StorageEncryptionThroughDynamoDB']);
    expect(statements.map((s) => render(s.Resource))).toEqual([
      expect.stringMatching(/^<import:Data:ExportsOutputFnGetAttVaultStoreSealKey/),
      expect.stringMatching(/^<import:Data:ExportsOutputFnGetAttVaultStoreTable/),
      expect.stringMatching(/^<import:Data:ExportsOutputFnGetAttVaultStoreTableKey/),
    ]);
    // The store's resources are exactly those of a store nobody uses.
    const alone = newTestStack(newTestApp(), 'Data');
    new VaultStore(alone, 'VaultStore');
    expect(dataTemplate.toJSON().Resources).toEqual(Template.fromStack(alone).toJSON().Resources);
  });

  test('the store\'s stack does not depend on Vault\'s; Vault\'s depends on the store\'s', () => {
    expect(data.dependencies).toEqual([]);
    expect(ops.dependencies).toContain(data);
  });

  test('a Raft store: Raft storage, the seal key only', () => {
    const raft = split({ storage: VaultStorageBackend.RAFT });
    expect(raft.vault.storage).toBe(VaultStorageBackend.RAFT);
    expect(raft.vault.table).toBeUndefined();
    expect(serverStatements(Template.fromStack(raft.ops)).map((s) => s.Sid)).toEqual(['AutoUnseal']);
    expect(vaultValues(Template.fromStack(raft.ops)).server.ha.raft.enabled).toBe(true);
  });

  test('storage that agrees with the store is accepted', () => {
    expect(() => split({}, { storage: VaultStorageBackend.DYNAMODB })).not.toThrow();
  });

  test('storage that contradicts the store is refused', () => {
    expect(() => split({}, { storage: VaultStorageBackend.RAFT })).toThrow(
      'TestStack/Vault: invalid storage "raft": contradicts the store\'s storage "dynamodb": leave storage out, or set it on the store');
  });

  test('a store in another region is refused', () => {
    const app = newTestApp();
    const other = new Stack(app, 'Other', { env: { account: '123456789012', region: 'us-west-2' } });
    const store2 = new VaultStore(other, 'VaultStore');
    const stack = newTestStack(app);
    expect(() => new Vault(stack, 'Vault', { cluster: newBareTestCluster(stack), store: store2 })).toThrow(
      'TestStack/Vault: invalid store "Other/VaultStore": must be in the Vault\'s region us-east-1, not us-west-2');
  });

  test('the four packs report nothing Vault and its store add', () => {
    const baselineStack = newTestStack(newTestApp());
    newBareTestCluster(baselineStack);
    const clusterOnly = complianceFindings(baselineStack);
    const built = split();
    expect(complianceFindings(built.ops).filter((f) => !clusterOnly.includes(f))).toEqual([]);
  });
});
