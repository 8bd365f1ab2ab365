import { App } from 'aws-cdk-lib';

/** The environment's settings, read from cdk.json's `context` (or `cdk synth -c key=value`). */
export interface StarterConfig {
  /** AWS account ID the environment deploys to. */
  readonly account: string;
  /**
   * The account of the stacks' `env`: `account` when the CDK CLI has AWS
   * credentials (of that account), otherwise undefined, so `cdk synth` needs no
   * AWS account (with a concrete account, aws-cdk-lib looks up the region's
   * Availability Zones, which needs credentials).
   */
  readonly envAccount?: string;
  /** Home region. */
  readonly region: string;
  /** `development` or `production`. */
  readonly stage: 'development' | 'production';
  /** Name of the public Route 53 hosted zone the app is served from (`app.<domainName>`). */
  readonly domainName: string;
  /** ID of that hosted zone. */
  readonly hostedZoneId: string;
  /** Receives the critical and warning alarms. */
  readonly alarmEmail: string;
  /** IAM roles that get cluster admin (kubectl). */
  readonly clusterAdminRoleArns: string[];
}

/** Thrown when cdk.json's context is incomplete or wrong: one line per setting, no stack trace needed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

interface Setting {
  /** What to put there, as the error says it. */
  readonly what: string;
  readonly example: string;
  readonly pattern: RegExp;
}

/** The placeholders: cdk.json ships them as `<...>`, and synth stops until each is filled. */
const PLACEHOLDERS: Record<'account' | 'domainName' | 'hostedZoneId' | 'alarmEmail', Setting> = {
  account: {
    what: 'the 12-digit ID of the AWS account this environment deploys to (aws sts get-caller-identity --query Account)',
    example: '111122223333',
    pattern: /^\d{12}$/,
  },
  domainName: {
    what: 'the name of your public Route 53 hosted zone; the app is served at app.<domainName>',
    example: 'example.com',
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  },
  hostedZoneId: {
    what: 'the ID of that hosted zone (aws route53 list-hosted-zones-by-name --dns-name <domainName>)',
    example: 'Z0123456789ABCDEFGHIJ',
    pattern: /^Z[A-Z0-9]{1,31}$/,
  },
  alarmEmail: {
    what: 'the e-mail address that receives the critical and warning alarms',
    example: 'oncall@example.com',
    pattern: /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/,
  },
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** A value cdk.json still holds as shipped: missing, empty or `<...>`. */
function unfilled(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && (value.trim() === '' || /^<.*>$/s.test(value.trim())));
}

/**
 * The settings of cdk.json's context, checked. Every problem is collected
 * and reported at once, one line each, naming the setting and what to put
 * there.
 */
export function readConfig(app: App): StarterConfig {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [key, setting] of Object.entries(PLACEHOLDERS)) {
    const value: unknown = app.node.tryGetContext(key);
    if (unfilled(value)) {
      problems.push(`cdk.json: fill in "${key}" (context): ${setting.what}, e.g. "${setting.example}".`);
    } else if (typeof value !== 'string' || !setting.pattern.test(value)) {
      problems.push(`cdk.json: "${key}" is ${JSON.stringify(value)}: put ${setting.what}, e.g. "${setting.example}".`);
    } else {
      values[key] = value;
    }
  }

  const stage: unknown = app.node.tryGetContext('stage') ?? 'development';
  if (stage !== 'development' && stage !== 'production') {
    problems.push(`cdk.json: "stage" is ${JSON.stringify(stage)}: put "development" or "production".`);
  }
  const region: unknown = app.node.tryGetContext('region');
  if (typeof region !== 'string' || !REGION.test(region)) {
    problems.push(`cdk.json: "region" is ${JSON.stringify(region)}: put the home region of the environment, e.g. "us-east-1".`);
  }
  const roles: unknown = app.node.tryGetContext('clusterAdminRoleArns') ?? [];
  if (!Array.isArray(roles) || roles.some((arn) => typeof arn !== 'string' || !ROLE_ARN.test(arn))) {
    problems.push(`cdk.json: "clusterAdminRoleArns" is ${JSON.stringify(roles)}: put a list of IAM role ARNs `
      + '(e.g. ["arn:aws:iam::111122223333:role/platform-admin"]), or [] for none.');
  }

  // The CDK CLI sets CDK_DEFAULT_ACCOUNT to the account of your AWS
  // credentials, when there are any: deploying elsewhere than cdk.json says is
  // a mistake to stop here.
  const credentialsAccount = process.env.CDK_DEFAULT_ACCOUNT;
  if (values.account && credentialsAccount && credentialsAccount !== values.account) {
    problems.push(`cdk.json: "account" is "${values.account}" but your AWS credentials are for account ${credentialsAccount}: `
      + `use credentials of ${values.account}, or put ${credentialsAccount} there.`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    account: values.account,
    envAccount: credentialsAccount ? values.account : undefined,
    region: region as string,
    stage: stage as StarterConfig['stage'],
    domainName: values.domainName,
    hostedZoneId: values.hostedZoneId,
    alarmEmail: values.alarmEmail,
    clusterAdminRoleArns: roles as string[],
  };
}
