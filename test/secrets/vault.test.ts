import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { serverCertificateNames, tlsChartFiles, vaultServerConfig } from '../../src/secrets/private/vault-values';
import { Vault, VaultProps, VaultStorageBackend } from '../../src/secrets/vault';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { logicalIds, newTestStack } from '../helpers/stacks';

interface Built {
  readonly stack: Stack;
  readonly vault: Vault;
  readonly template: Template;
}

function setup(props: Partial<VaultProps> = {}): Built {
  const stack = newTestStack();
  const cluster = newBareTestCluster(stack);
  const vault = new Vault(stack, 'Vault', { cluster, ...props });
  return { stack, vault, template: Template.fromStack(stack) };
}

/** A CloudFormation string value with its references written as `<Ref>` / `<Resource.Attr>`. */
function render(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(render).join(value['Fn::Join'][0]);
  if (value.Ref) return `<${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}>`;
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

function helmRelease(template: Template, release: string): any {
  const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Release === release);
  expect(charts).toHaveLength(1);
  return charts[0];
}

/** The parsed values of a Helm release. */
function values(template: Template, release = 'vault'): any {
  return JSON.parse(render(helmRelease(template, release).Properties.Values));
}

function id(stack: Stack, construct: any): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The statements of the Vault server role's managed policy. */
function serverStatements(template: Template): any[] {
  const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([key]) => key.startsWith('VaultServerRolePolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0][1] as any).Properties.PolicyDocument.Statement;
}

describe('Vault in production (the default stage)', () => {
  const built = setup();
  const { stack, vault, template } = built;
  const v = values(template);
  const sealKey = id(stack, vault.sealKey);
  const tableKey = id(stack, vault.tableKey);
  const table = id(stack, vault.table);

  test('installs the pinned official chart in the vault namespace, without waiting for the sealed servers', () => {
    const chart = helmRelease(template, 'vault').Properties;
    expect(chart).toMatchObject({
      Chart: 'vault', Repository: 'https://helm.releases.hashicorp.com', Version: '0.34.1', Namespace: 'vault', CreateNamespace: true,
    });
    expect(chart.Wait).toBeUndefined();
    expect(v.server.image).toEqual({ repository: 'hashicorp/vault', tag: '1.21.4' });
    expect(v.injector.agentImage).toEqual({ repository: 'hashicorp/vault', tag: '1.21.4' });
    expect(vault.address).toBe('https://vault.vault.svc:8200');
  });

  test('3 servers in HA with a PodDisruptionBudget, spread over zones', () => {
    expect(vault.replicas).toBe(3);
    expect(vault.highAvailability).toBe(true);
    expect(v.server.ha).toMatchObject({ enabled: true, replicas: 3, disruptionBudget: { enabled: true }, raft: { enabled: false } });
    expect(v.server.standalone).toEqual({ enabled: false });
    expect(v.server.dataStorage).toEqual({ enabled: false });
    expect(v.server.topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' })]);
    // The chart's default anti-affinity (one server per node) is kept.
    expect(v.server.affinity).toBeUndefined();
  });

  test('HCL: awskms seal with the seal key, dynamodb storage with HA lock, table and region', () => {
    const config: string = v.server.ha.config;
    expect(config).toContain(`seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "<${sealKey}.Arn>"\n}`);
    expect(config).toContain(`storage "dynamodb" {\n  ha_enabled = "true"\n  region = "us-east-1"\n  table = "<${table}>"\n}`);
    expect(config).toContain('service_registration "kubernetes" {}');
  });

  test('TLS: global.tlsDisable false, listener with the issued certificate, VAULT_CACERT, names the certificate covers', () => {
    expect(v.global.tlsDisable).toBe(false);
    const config: string = v.server.ha.config;
    expect(config).toContain('tls_cert_file = "/vault/userconfig/vault-server-tls/tls.crt"');
    expect(config).toContain('tls_key_file = "/vault/userconfig/vault-server-tls/tls.key"');
    expect(config).toContain('tls_min_version = "tls12"');
    expect(config).not.toContain('tls_disable');
    expect(v.server.extraVolumes).toEqual([{ type: 'secret', name: 'vault-server-tls' }]);
    expect(v.server.extraEnvironmentVars).toEqual({ VAULT_CACERT: '/vault/userconfig/vault-server-tls/ca.crt' });
    // Fully qualified: standbys redirect clients of other namespaces to it.
    expect(v.server.ha.apiAddr).toBe('https://$(VAULT_K8S_POD_NAME).vault-internal.vault.svc:8200');
    const names = serverCertificateNames('vault');
    for (const name of ['vault.vault.svc', 'vault-active.vault.svc', '*.vault-internal', 'localhost']) expect(names).toContain(name);
  });

  test('TLS release: chart asset issued in the cluster before the servers, with the names and validity', () => {
    const tls = helmRelease(template, 'vault-tls');
    expect(tls.Properties.ChartAssetURL).toMatch(/^s3:\/\/.*\.zip$/);
    expect(tls.Properties.Wait).toBe(true);
    const tlsValues = values(template, 'vault-tls');
    expect(tlsValues).toMatchObject({ serverSecretName: 'vault-server-tls', caSecretName: 'vault-ca', caKeySecretName: 'vault-tls-ca', validityDays: 1095, caValidityDays: 3650 });
    expect(tlsValues.dnsNames).toEqual(serverCertificateNames('vault'));
    const chart = Object.entries(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find(([, r]: any) => r.Properties.Release === 'vault')!;
    expect((chart[1] as any).DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^VaultTlsChart/), expect.stringMatching(/^VaultServerRoleAssociation/)]));
  });

  test('TLS chart: private CA and server certificate from Helm functions, reused across runs, no key in the template', () => {
    const files = tlsChartFiles();
    expect(Object.keys(files).sort()).toEqual(['Chart.yaml', 'templates/tls.yaml']);
    const t = files['templates/tls.yaml'];
    for (const fn of ['genCA', 'genSignedCert', 'buildCustomCert', 'lookup "v1" "Secret"', 'helm.sh/resource-policy: keep']) expect(t).toContain(fn);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY/);
  });

  test('the injector gives every Vault Agent the CA (patch of AGENT_INJECT_VAULT_CACERT_BYTES from vault-ca)', () => {
    expect(v.injector).toMatchObject({ enabled: true, replicas: 2, podDisruptionBudget: { maxUnavailable: 1 } });
    expect(v.injector.webhook.failurePolicy).toBe('Fail');
    // Opt-in: only namespaces labelled for injection go through the fail-closed webhook.
    expect(v.injector.webhook.namespaceSelector).toEqual({ matchLabels: { 'innovate.io/vault-injection': 'enabled' } });
    template.hasResourceProperties('Custom::AWSCDK-EKS-KubernetesPatch', {
      ResourceName: 'deployment/vault-agent-injector',
      ResourceNamespace: 'vault',
      PatchType: 'strategic',
      ApplyPatchJson: JSON.stringify({
        spec: { template: { spec: { containers: [{ name: 'sidecar-injector', env: [{ name: 'AGENT_INJECT_VAULT_CACERT_BYTES', valueFrom: { secretKeyRef: { name: 'vault-ca', key: 'ca.crt' } } }] }] } } },
      }),
    });
    expect(vault.caSecretName).toBe('vault-ca');
  });

  test('server and injector pods run non-root with a RuntimeDefault seccomp profile and no capabilities', () => {
    expect(v.server.statefulSet.securityContext.pod).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.server.statefulSet.securityContext.container).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(v.injector.securityContext.container).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // The injector image names its user (`vault`): the kubelet accepts runAsNonRoot only with a numeric user.
    expect(v.injector.securityContext.pod).toEqual({
      runAsNonRoot: true, runAsUser: 100, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(v.server.resources.requests).toBeDefined();
    expect(v.server.serviceAccount).toEqual({ create: true, name: 'vault' });
  });

  test('seal key and table key: customer-managed, rotated, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    for (const key of [sealKey, tableKey]) {
      expect(template.toJSON().Resources[key]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    }
    // The default key policy: the account administers the key, and IAM policies (the server role's) grant its use.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: [Match.objectLike({ Action: 'kms:*', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } } })] },
    });
  });

  test('table: Vault\'s key schema, on demand, PITR, SSE with the table key, deletion protection, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(template.toJSON().Resources[table]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'Path', KeyType: 'HASH' }, { AttributeName: 'Key', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'Path', AttributeType: 'S' }, { AttributeName: 'Key', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [tableKey, 'Arn'] } },
        DeletionProtectionEnabled: true,
      },
    });
  });

  test('Pod Identity: the vault service account, role limited to the seal key, the table and the table key through DynamoDB', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'vault', ServiceAccount: 'vault' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Condition: { StringEquals: Match.objectLike({ 'aws:RequestTag/kubernetes-namespace': 'vault', 'aws:RequestTag/kubernetes-service-account': 'vault' }) },
        })]),
      },
    });
    expect(serverStatements(template)).toEqual([
      { Sid: 'AutoUnseal', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [sealKey, 'Arn'] } },
      {
        Sid: 'Storage',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: { 'Fn::GetAtt': [table, 'Arn'] },
      },
      {
        Sid: 'StorageEncryptionThroughDynamoDB',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        Resource: { 'Fn::GetAtt': [tableKey, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
      },
    ]);
  });

  test('logical IDs of the keys, the table and the role are pinned', () => {
    expect(logicalIds(template, (logicalId) => logicalId.startsWith('Vault'))).toMatchSnapshot();
  });
});

describe('Vault in development', () => {
  const { stack, vault, template } = setup({ stage: PlatformStage.DEVELOPMENT });
  const v = values(template);

  test('1 standalone server with the same awskms seal and dynamodb storage (no HA lock), 1 injector', () => {
    expect(v.server.ha).toMatchObject({ enabled: false, replicas: 1, disruptionBudget: { enabled: false } });
    expect(v.server.standalone.enabled).toBe(true);
    const config: string = v.server.standalone.config;
    expect(config).toContain(`kms_key_id = "<${id(stack, vault.sealKey)}.Arn>"`);
    expect(config).toContain('storage "dynamodb" {\n  ha_enabled = "false"');
    expect(v.server.topologySpreadConstraints).toEqual([]);
    expect(v.injector.replicas).toBe(1);
    expect(v.injector.podDisruptionBudget).toEqual({});
    expect(v.global.tlsDisable).toBe(false);
  });

  test('keys and table are deleted with the stack, no deletion protection', () => {
    for (const key of [vault.sealKey, vault.tableKey, vault.table]) {
      expect(template.toJSON().Resources[id(stack, key)]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });
});

describe('Raft storage', () => {
  const { stack, vault, template } = setup({ storage: VaultStorageBackend.RAFT, storageClassName: 'gp3-encrypted', dataVolumeSizeGiB: 20 });
  const v = values(template);

  test('integrated storage on the encrypted gp3 class, retry_join over TLS to every server, no table', () => {
    expect(v.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(v.server.dataStorage).toEqual({ enabled: true, size: '20Gi', storageClass: 'gp3-encrypted', accessMode: 'ReadWriteOnce' });
    const config: string = v.server.ha.raft.config;
    expect(config).toContain('storage "raft" {\n  path = "/vault/data"');
    for (const i of [0, 1, 2]) expect(config).toContain(`leader_api_addr = "https://vault-${i}.vault-internal:8200"`);
    expect(config).toContain('leader_ca_cert_file = "/vault/userconfig/vault-server-tls/ca.crt"');
    expect(config).toContain(`kms_key_id = "<${id(stack, vault.sealKey)}.Arn>"`);
    expect(config).not.toContain('dynamodb');
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(vault.table).toBeUndefined();
  });

  test('the role holds the seal key only', () => {
    expect(serverStatements(template)).toEqual([
      { Sid: 'AutoUnseal', Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [id(stack, vault.sealKey), 'Arn'] } },
    ]);
  });

  test('a single Raft server for development (no PodDisruptionBudget that would block drains)', () => {
    const dev = values(setup({ stage: PlatformStage.DEVELOPMENT, storage: VaultStorageBackend.RAFT }).template);
    expect(dev.server.ha).toMatchObject({ enabled: true, replicas: 1, disruptionBudget: { enabled: false } });
    expect(dev.server.dataStorage.storageClass).toBe('gp3-encrypted');
    expect(dev.server.dataStorage.size).toBe('10Gi');
  });
});

describe('overrides', () => {
  test('a profile derived from production and props override the presets', () => {
    const profile = { ...StageProfiles.PRODUCTION, secrets: { ...StageProfiles.PRODUCTION.secrets, vaultReplicas: 5, vaultInjectorReplicas: 3 } };
    const { template } = setup({ profile, chartVersion: '0.34.0', vaultVersion: '1.21.9', tlsCertificateValidityDays: 365, namespace: 'secrets' });
    const v = values(template);
    expect(v.server.ha.replicas).toBe(5);
    expect(v.injector.replicas).toBe(3);
    expect(v.server.image.tag).toBe('1.21.9');
    expect(helmRelease(template, 'vault').Properties).toMatchObject({ Version: '0.34.0', Namespace: 'secrets' });
    expect(values(template, 'vault-tls')).toMatchObject({ validityDays: 365, commonName: 'vault.secrets.svc' });
    expect(values(template, 'vault-tls').dnsNames).toContain('vault.secrets.svc');
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'secrets', ServiceAccount: 'vault' });
  });
});

describe('bad input fails at synth', () => {
  const cases: Array<[string, Partial<VaultProps>, RegExp]> = [
    ['HA with fewer than 3 replicas', { highAvailability: true, replicas: 2 }, /invalid replicas 2: must be at least 3 when highAvailability is true/],
    ['replicas below 1', { replicas: 0 }, /invalid replicas 0: must be an integer from 1 to 7/],
    ['replicas above 7', { replicas: 9 }, /invalid replicas 9: must be an integer from 1 to 7/],
    ['fractional replicas', { replicas: 3.5 }, /invalid replicas 3.5: must be an integer from 1 to 7/],
    ['several servers without HA', { highAvailability: false, replicas: 3 }, /invalid replicas 3: must be 1 when highAvailability is false/],
    ['an even Raft cluster', { storage: VaultStorageBackend.RAFT, replicas: 4 }, /invalid replicas 4: must be odd with Raft storage/],
    ['injector replicas 0', { injectorReplicas: 0 }, /invalid injectorReplicas 0: must be an integer from 1 to 5/],
    ['a certificate valid 5 days', { tlsCertificateValidityDays: 5 }, /invalid tlsCertificateValidityDays 5: must be an integer from 30 to 3650/],
    ['a chart range', { chartVersion: '^0.34' }, /invalid chartVersion "\^0.34": must be a literal chart version/],
    ['a floating Vault tag', { vaultVersion: 'latest' }, /invalid vaultVersion "latest": must be a literal Vault version/],
    ['a bad namespace', { namespace: 'Vault_NS' }, /invalid namespace "Vault_NS": must be a Kubernetes namespace name/],
    ['a storage class with DynamoDB', { storageClassName: 'gp3' }, /invalid storageClassName "gp3": applies to VaultStorageBackend.RAFT only/],
    ['a volume size with DynamoDB', { dataVolumeSizeGiB: 5 }, /invalid dataVolumeSizeGiB 5: applies to VaultStorageBackend.RAFT only/],
    ['a bad storage class', { storage: VaultStorageBackend.RAFT, storageClassName: 'GP3 Encrypted' }, /invalid storageClassName "GP3 Encrypted": must be a StorageClass name/],
    ['a huge Raft volume', { storage: VaultStorageBackend.RAFT, dataVolumeSizeGiB: 5000 }, /invalid dataVolumeSizeGiB 5000: must be an integer from 1 to 1000/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    expect(() => new Vault(stack, 'Vault', { cluster, ...props })).toThrow(message);
    expect(() => new Vault(stack, 'Vault2', { cluster, ...props })).toThrow(/TestStack\/Vault2: invalid /);
  });
});

describe('compliance', () => {
  /** What a bare test cluster reports on its own (not Vault's). */
  function baseline(): string[] {
    const stack = newTestStack(newTestApp());
    newBareTestCluster(stack);
    return complianceFindings(stack);
  }
  const clusterOnly = baseline();

  test.each([
    ['production, DynamoDB', {}],
    ['development, DynamoDB', { stage: PlatformStage.DEVELOPMENT }],
    ['production, Raft', { storage: VaultStorageBackend.RAFT }],
  ])('%s: the four packs report nothing Vault adds', (_name, props: Partial<VaultProps>) => {
    const stack = newTestStack(newTestApp());
    const cluster = newBareTestCluster(stack);
    new Vault(stack, 'Vault', { cluster, ...props });
    expect(complianceFindings(stack).filter((f) => !clusterOnly.includes(f))).toEqual([]);
  });
});

describe('pure builders', () => {
  test('vaultServerConfig writes no word the chart substitutes at start (HOSTNAME, POD_IP, HOST_IP)', () => {
    const config = vaultServerConfig({
      namespace: 'vault',
      vaultVersion: '1.21.4',
      replicas: 3,
      highAvailability: true,
      storage: 'raft',
      region: 'eu-west-1',
      sealKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/x',
      injectorReplicas: 2,
    });
    expect(config).not.toMatch(/HOSTNAME|POD_IP|HOST_IP/);
    expect(config).toContain('region = "eu-west-1"');
  });

  test('the chart asset is built from the same files on every synthesis (stable asset hash)', () => {
    const first = helmRelease(setup().template, 'vault-tls').Properties.ChartAssetURL;
    expect(helmRelease(setup().template, 'vault-tls').Properties.ChartAssetURL).toBe(first);
  });

  test('the cluster type is the aws-eks-v2 one', () => {
    expect(setup().vault.chart).toBeInstanceOf(eks.HelmChart);
  });
});
