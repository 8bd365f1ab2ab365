import { Template } from 'aws-cdk-lib/assertions';
import { AccessPrincipals, AccountAccess, AccountAccessProps, GithubDeployRoles, GithubDeployRolesProps } from '../../src/access';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { newTestStack } from '../helpers/stacks';

const deploy = (props: Partial<GithubDeployRolesProps> = {}) => {
  const stack = newTestStack();
  const roles = new GithubDeployRoles(stack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform', ...props });
  return { roles, template: Template.fromStack(stack) };
};
const access = (props: AccountAccessProps = {}) => {
  const stack = newTestStack();
  const a = new AccountAccess(stack, 'Access', props);
  return { access: a, template: Template.fromStack(stack) };
};
const maxSessions = (template: Template) => Object.values(template.findResources('AWS::IAM::Role')).map((r: any) => r.Properties.MaxSessionDuration);

describe('GithubDeployRoles: profile and session length', () => {
  test('the profile\'s access.deploySessionDurationHours is the default (1 hour in both presets)', () => {
    expect(StageProfiles.PRODUCTION.access.deploySessionDurationHours).toBe(1);
    expect(StageProfiles.DEVELOPMENT.access.deploySessionDurationHours).toBe(1);
    expect(maxSessions(deploy().template)).toEqual([3600, 3600]);
  });
  test('a derived profile and the prop set it', () => {
    const profile: StageProfile = { ...StageProfiles.PRODUCTION, access: { ...StageProfiles.PRODUCTION.access, deploySessionDurationHours: 2 } };
    expect(maxSessions(deploy({ profile }).template)).toEqual([7200, 7200]);
    expect(maxSessions(deploy({ profile, sessionDurationHours: 12 }).template)).toEqual([43200, 43200]);
  });
  test.each([[0, '0'], [13, '13'], [0.5, '0.5'], [Infinity, 'Infinity']])('sessionDurationHours %p is refused', (hours, shown) => {
    expect(() => deploy({ sessionDurationHours: hours })).toThrow(`invalid sessionDurationHours ${shown}: must be an integer from 1 to 12`);
  });
  test('a stage contradicting the profile throws', () => {
    expect(() => deploy({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION })).toThrow(/contradicts profile.stage/);
  });
});

describe('GithubDeployRoles: names and lists', () => {
  test.each([
    [{ developmentRoleName: 'deploy', productionRoleName: 'deploy' }, /invalid productionRoleName "deploy": is also given as developmentRoleName/],
    [{ developmentRoleName: 'Deploy', productionRoleName: 'deploy' }, /invalid productionRoleName "deploy"/],
    [{ developmentRoleName: 'x'.repeat(65) }, /invalid developmentRoleName .*1 to 64/],
    [{ productionRoleName: 'deploy role' }, /invalid productionRoleName "deploy role"/],
    [{ stages: [PlatformStage.PRODUCTION, PlatformStage.PRODUCTION] }, /invalid stages\[1\] "production": duplicates stages\[0\]/],
    [{ stages: ['staging' as PlatformStage] }, /invalid stages\[0\] "staging": must be one of development, production/],
    [{ cdkQualifier: 'HNB659FDS' }, /invalid cdkQualifier "HNB659FDS": must be a CDK bootstrap qualifier/],
    [{ productionCdkQualifier: 'prod_1' }, /invalid productionCdkQualifier "prod_1"/],
    [{ cdkQualifier: 'abcdefghijk' }, /invalid cdkQualifier "abcdefghijk"/],
    [{ oidcProviderArn: 'arn:aws:iam:us-east-1:123456789012:oidc-provider/token.actions.githubusercontent.com' }, /invalid oidcProviderArn .*global resource/],
    [{ oidcProviderArn: 'arn:aws:iam::123456789012:role/token.actions.githubusercontent.com' }, /invalid oidcProviderArn .*must be an ARN such as/],
    [{ oidcProviderArn: 'token.actions.githubusercontent.com' }, /invalid oidcProviderArn "token.actions.githubusercontent.com"/],
  ] as Array<[Partial<GithubDeployRolesProps>, RegExp]>)('%p is refused', (props, message) => {
    expect(() => deploy(props)).toThrow(message);
  });
  test('valid edges: distinct 64-character names, one stage, 10-character qualifiers', () => {
    expect(() => deploy({ developmentRoleName: 'd'.repeat(64), productionRoleName: 'p'.repeat(64) })).not.toThrow();
    expect(deploy({ stages: [PlatformStage.PRODUCTION] }).roles.stages).toEqual([PlatformStage.PRODUCTION]);
    expect(() => deploy({ cdkQualifier: 'abcdefghij', productionCdkQualifier: 'p' })).not.toThrow();
  });
});

describe('AccountAccess: profile and session names', () => {
  test('sessions default to the resolved profile\'s access.sessionDurationHours', () => {
    const profile: StageProfile = { ...StageProfiles.PRODUCTION, access: { ...StageProfiles.PRODUCTION.access, sessionDurationHours: 4 } };
    expect(maxSessions(access({ profile }).template)).toEqual([14400, 14400, 14400]);
    expect(maxSessions(access().template)).toEqual([28800, 28800, 28800]);
    expect(access({ profile }).access.profile.access.sessionDurationHours).toBe(4);
  });
  test('sessionDurationHours, and the deprecated maxSessionDurationHours', () => {
    expect(maxSessions(access({ principals: AccessPrincipals.roles({ sessionDurationHours: 12 }) }).template)).toEqual([43200, 43200, 43200]);
    expect(maxSessions(access({ principals: AccessPrincipals.roles({ maxSessionDurationHours: 1 }) }).template)).toEqual([3600, 3600, 3600]);
  });
  test.each([[0], [13], [2.5]])('sessionDurationHours %p is refused', (hours) => {
    expect(() => access({ principals: AccessPrincipals.roles({ sessionDurationHours: hours }) }))
      .toThrow(`invalid sessionDurationHours ${hours}: must be an integer from 1 to 12`);
  });
  test('both names with different values throw', () => {
    expect(() => access({ principals: AccessPrincipals.roles({ sessionDurationHours: 8, maxSessionDurationHours: 12 }) }))
      .toThrow(/invalid maxSessionDurationHours 12: is the deprecated name of sessionDurationHours, which is also given \(8\)/);
  });
  test('a stage contradicting the profile throws', () => {
    expect(() => access({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION })).toThrow(/contradicts profile.stage/);
  });
  test.each(['Prod', 'prod_1', '-prod', 'prod--1', 'prod-', 'abcdefghijk'])('productionBootstrapQualifier %p is refused', (q) => {
    expect(() => access({ productionBootstrapQualifier: q })).toThrow(`invalid productionBootstrapQualifier ${JSON.stringify(q)}: must be a CDK bootstrap qualifier`);
  });
  test.each([
    [['alice', 'alice']], [['alice', 'bob', 'alice']], [['a', 'a', 'b']],
  ])('a user named twice in a group (%p) is refused, not a deploy failure', (names) => {
    expect(() => access({ principals: AccessPrincipals.groups({ engineeringUserNames: names }) })).toThrow(/invalid engineeringUserNames\[\d\] .*duplicates/);
  });
});
