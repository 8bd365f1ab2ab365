import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/**
 * The single-page app's default Content-Security-Policy: everything from the
 * app's own origin (which includes its API under the same domain), images
 * also as data URLs, no plugins, no framing, forms only to itself, and every
 * `http:` reference upgraded. A React build without inline scripts runs
 * under it; a CSS-in-JS library or a third-party script needs an override.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'upgrade-insecure-requests',
].join('; ');

/** CloudFront's limit on the Content-Security-Policy value of a response headers policy. */
export const MAX_CONTENT_SECURITY_POLICY_LENGTH = 1783;

/**
 * The sources of one directive of a policy (lowercased directive names, as
 * browsers compare them), or `undefined` when the directive is absent.
 */
export function directiveSources(policy: string, directive: string): string[] | undefined {
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name.toLowerCase() === directive) return sources;
  }
  return undefined;
}

/**
 * Throw unless `policy` fits CloudFront's limit and, when the distribution
 * serves the API under `apiPath`, lets the app call it: `connect-src` (or,
 * without it, `default-src`) must admit `'self'` or one of the app's own
 * `https://` origins.
 */
export function validateContentSecurityPolicy(scope: IConstruct, policy: string, apiPath: string | undefined, domainNames: string[]): void {
  if (policy.trim().length === 0 || policy.length > MAX_CONTENT_SECURITY_POLICY_LENGTH || /[\r\n]/.test(policy)) {
    throw propError(scope, 'contentSecurityPolicy', policy,
      `must be one line of 1 to ${MAX_CONTENT_SECURITY_POLICY_LENGTH} characters (CloudFront's limit)`);
  }
  if (apiPath === undefined) return;
  const sources = directiveSources(policy, 'connect-src') ?? directiveSources(policy, 'default-src');
  const ownOrigins = ["'self'", ...domainNames.map((name) => `https://${name}`)];
  if (!sources || !sources.some((source) => ownOrigins.includes(source.toLowerCase().replace(/\/$/, '')))) {
    throw propError(scope, 'contentSecurityPolicy', policy,
      `must let the app call its API at ${apiPath}: connect-src (or default-src) must list 'self'${domainNames.length > 0 ? ` or ${domainNames.map((n) => `https://${n}`).join(', ')}` : ''}`);
  }
}
