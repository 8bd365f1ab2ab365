/**
 * Lambda entry point of the opensearch-ism handler, used by `LoggingDomain`:
 * `index.onEvent` is the CloudFormation custom resource (the function is the
 * ServiceToken) that configures log retention and access inside an Amazon
 * OpenSearch Service domain. See README.md beside this file.
 */
export { onEvent } from './custom-resource';
