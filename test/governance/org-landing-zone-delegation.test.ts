import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OrgLandingZone, OrgLandingZoneProps } from '../../src/governance';
import { complianceFindings } from '../helpers/compliance';
import { newTestStack } from '../helpers/stacks';

const PROPS: OrgLandingZoneProps = {
  organizationRootId: 'r-ab12',
  organizationId: 'o-abcdefghij',
  developmentAccount: { accountName: 'innovate-development', email: 'aws-development@innovate-inc.io' },
  productionAccount: { accountName: 'innovate-production', email: 'aws-production@innovate-inc.io' },
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
  securityAdministratorAccountId: '222233334444',
};

/**
 * The SDK calls of the template without intrinsics (the delegation calls; the
 * management baseline's account settings name the account and region by
 * tokens): service, action, region (undefined: the stack's) and parameters.
 */
function calls(template: Template): Array<{ service: string; action: string; region?: string; parameters: any }> {
  return Object.values(template.findResources('Custom::AWS'))
    .filter((r: any) => typeof r.Properties.Create === 'string')
    .map((r: any) => JSON.parse(r.Properties.Create));
}

describe('OrgLandingZone delegated administration in every allowed region', () => {
  const stack = newTestStack();
  const zone = new OrgLandingZone(stack, 'LandingZone', { ...PROPS, allowedRegions: ['us-east-1', 'us-west-2', 'eu-west-1'] });
  const template = Template.fromStack(stack);

  test('Security Hub: CloudFormation in the stack\'s region, one SDK call in each other allowed region', () => {
    template.resourceCountIs('AWS::SecurityHub::DelegatedAdmin', 1);
    template.hasResourceProperties('AWS::SecurityHub::DelegatedAdmin', { AdminAccountId: '222233334444' });
    const securityHub = calls(template).filter((c) => c.service === 'SecurityHub');
    expect(securityHub.map((c) => c.region).sort()).toEqual(['eu-west-1', 'us-west-2']);
    for (const call of securityHub) {
      expect(call).toMatchObject({ action: 'enableOrganizationAdminAccount', parameters: { AdminAccountId: '222233334444' } });
    }
  });

  test('GuardDuty: one call in each allowed region (the stack\'s own unchanged: no region, the original physical ID)', () => {
    const guardDuty = calls(template).filter((c) => c.service === 'GuardDuty');
    expect(guardDuty.map((c) => c.region ?? stack.region).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(guardDuty.find((c) => c.region === undefined)).toMatchObject({ physicalResourceId: { id: 'guardduty-admin-222233334444' } });
    expect(guardDuty.find((c) => c.region === 'eu-west-1')).toMatchObject({ physicalResourceId: { id: 'guardduty-admin-222233334444-eu-west-1' } });
  });

  test('the regions are exposed, the stack\'s first', () => {
    expect(zone.securityAdministrationRegions).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
  });

  test('each regional call may only enable the organization admin account', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyDocument.Statement).flat();
    const securityHub = policies.filter((s: any) => [s.Action].flat().includes('securityhub:EnableOrganizationAdminAccount'));
    expect(securityHub).toHaveLength(2);
    for (const statement of securityHub) {
      expect([statement.Action].flat().filter((a: string) => !a.startsWith('organizations:'))).toEqual(['securityhub:EnableOrganizationAdminAccount']);
    }
  });

  test('Config is delegated once (an organization-wide registration)', () => {
    expect(calls(template).filter((c) => c.parameters?.ServicePrincipal === 'config.amazonaws.com')).toHaveLength(1);
  });

  test('has no unacknowledged finding in the four cdk-nag packs', () => {
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('without delegation nothing is delegated anywhere', () => {
    const plain = new OrgLandingZone(newTestStack(), 'LandingZone', { ...PROPS, securityAdministratorAccountId: undefined });
    expect(plain.securityAdministrationRegions).toEqual([]);
  });
});

describe('OrgLandingZone delegation: the region list is checked at synth time', () => {
  test('the stack\'s region must be an allowed region', () => {
    expect(() => new OrgLandingZone(newTestStack(), 'LandingZone', { ...PROPS, allowedRegions: ['us-west-2', 'eu-west-1'] }))
      .toThrow(/invalid allowedRegions \["us-west-2","eu-west-1"\]: must include this stack's region us-east-1 when securityAdministratorAccountId is set/);
  });

  test('an environment-agnostic stack cannot say which regions CloudFormation delegates', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(() => new OrgLandingZone(agnostic, 'LandingZone', { ...PROPS, allowedRegions: ['us-east-1', 'us-west-2'] }))
      .toThrow(/invalid securityAdministratorAccountId "222233334444": needs a stack with a concrete region/);
  });

  test('the default allowed regions (the stack\'s, us-east-1, the recovery region) are all delegated', () => {
    const stack = newTestStack();
    const zone = new OrgLandingZone(stack, 'LandingZone', PROPS);
    expect(zone.securityAdministrationRegions).toEqual(zone.allowedRegions);
    expect(zone.securityAdministrationRegions).toEqual(['us-east-1', 'us-west-2']);
  });
});
