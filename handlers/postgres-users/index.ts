/**
 * Lambda entry points of the postgres-users handler, used by `SecureRds`:
 *
 * - `index.onEvent`: CloudFormation custom resource (the function is the
 *   ServiceToken) that creates a read-only PostgreSQL role and its grants.
 * - `index.rotate`: Secrets Manager single-user rotation of a PostgreSQL
 *   user's secret (the read-only user's or the master user's).
 *
 * See README.md beside this file for properties, environment and permissions.
 */
export { onEvent } from './custom-resource';
export { rotate } from './rotation';
