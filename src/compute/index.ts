export * from './application-namespace';
export * from './container-registry';
export * from './load-balancer-controller';
export * from './observable-eks-cluster';
