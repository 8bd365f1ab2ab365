import { Template } from 'aws-cdk-lib/assertions';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { Vault, VaultProps, VaultStorageBackend } from '../../src/secrets/vault';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

function setup(props: Partial<VaultProps> = {}) {
  const stack = newTestStack();
  const vault = new Vault(stack, 'Vault', { cluster: newBareTestCluster(stack), ...props });
  return { stack, vault, template: Template.fromStack(stack) };
}

function values(template: Template): any {
  const chart = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find((r: any) => r.Properties.Chart === 'vault') as any;
  const v = chart.Properties.Values;
  if (typeof v === 'string') return JSON.parse(v);
  return JSON.parse((v['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

const STAGING: StageProfile = {
  ...StageProfiles.PRODUCTION,
  secrets: { ...StageProfiles.PRODUCTION.secrets, vaultDataVolumeSizeGiB: 25 },
  dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
};

describe('Vault: one stage context', () => {
  test('a stage that contradicts the profile is an error', () => {
    expect(() => setup({ stage: PlatformStage.PRODUCTION, profile: StageProfiles.DEVELOPMENT }))
      .toThrow(/^TestStack\/Vault: invalid stage "production": contradicts profile.stage "development"/);
  });

  test('a derived staging profile: production\'s HA, its own volume size and removal policy', () => {
    const { vault, template } = setup({ profile: STAGING, storage: VaultStorageBackend.RAFT });
    expect(vault.replicas).toBe(3);
    expect(vault.highAvailability).toBe(true);
    expect(values(template).server.dataStorage.size).toBe('25Gi');
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect((key as any).DeletionPolicy).toBe('Delete');
    }
  });

  test('the TLS validity comes from the profile', () => {
    const profile = { ...StageProfiles.DEVELOPMENT, secrets: { ...StageProfiles.DEVELOPMENT.secrets, vaultTlsCertificateValidityDays: 400 } };
    const { template } = setup({ profile });
    const tls = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find((r: any) => r.Properties.Release === 'vault-tls') as any;
    expect(JSON.stringify(tls.Properties.Values)).toContain('400');
  });
});

describe('Vault: replica counts against HA mode name the prop the user gave', () => {
  test.each([
    ['HA off in production (3 replicas from the profile)', { stage: PlatformStage.PRODUCTION, highAvailability: false },
      /invalid highAvailability false: needs a single server, and the profile's secrets.vaultReplicas is 3: set replicas to 1/],
    ['HA on in development (1 replica from the profile)', { stage: PlatformStage.DEVELOPMENT, highAvailability: true },
      /invalid highAvailability true: needs at least 3 replicas, and the profile's secrets.vaultReplicas is 1/],
    ['2 replicas in HA', { replicas: 2 }, /invalid replicas 2: must be at least 3 when highAvailability is true/],
    ['3 replicas without HA', { highAvailability: false, replicas: 3 }, /invalid replicas 3: must be 1 when highAvailability is false/],
    ['Infinity replicas', { replicas: Infinity }, /invalid replicas Infinity: must be an integer from 1 to 7/],
    ['an even Raft cluster', { storage: VaultStorageBackend.RAFT, replicas: 6 }, /invalid replicas 6: must be odd with Raft storage/],
  ])('%s', (_, props, message) => {
    expect(() => setup(props as Partial<VaultProps>)).toThrow(message);
  });

  test.each([
    ['1 standalone server', { highAvailability: false, replicas: 1 }],
    ['3 in HA', { highAvailability: true, replicas: 3 }],
    ['7 in HA on Raft', { highAvailability: true, replicas: 7, storage: VaultStorageBackend.RAFT }],
  ])('accepts %s', (_, props) => {
    expect(() => setup(props as Partial<VaultProps>)).not.toThrow();
  });
});
