export * from './application-namespace';
export * from './capacity-mode';
export * from './container-registry';
export * from './karpenter';
export * from './load-balancer-controller';
export * from './node-pools';
export * from './platform-cluster';
export * from './target-group-binding';
