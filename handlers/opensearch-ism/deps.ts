/** The handler's outside world (the domain's REST API, the CloudFormation response URL, the clock, the environment). */
export * from '../shared/https-deps';
