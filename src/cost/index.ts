export * from './usage-profile';
export * from './cost-estimate';
export * from './cost-diff';
export * from './cost-guard';
