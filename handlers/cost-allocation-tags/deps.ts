/** The handler's outside world (Cost Explorer's HTTPS endpoint, the CloudFormation response URL, the clock, the environment). */
export * from '../shared/https-deps';
