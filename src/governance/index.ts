export * from './account-baseline';
export * from './config-remediation';
export * from './cost-allocation-tags';
export * from './cost-governance';
export * from './cost-reports';
export * from './org-landing-zone';
export * from './security-alerts';
