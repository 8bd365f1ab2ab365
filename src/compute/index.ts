export * from './application-namespace';
export * from './container-registry';
export * from './karpenter';
export * from './load-balancer-controller';
export * from './node-pools';
export * from './observable-eks-cluster';
export * from './target-group-binding';
