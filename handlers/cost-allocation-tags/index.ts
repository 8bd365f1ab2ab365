/**
 * Lambda entry point of the cost-allocation-tags handler, used by
 * `CostGovernance`: `index.onEvent` is the CloudFormation custom resource
 * (the function is the ServiceToken) that activates cost-allocation tag keys
 * and fails when Cost Explorer refuses any of them. See README.md beside
 * this file.
 */
export { onEvent } from './custom-resource';
