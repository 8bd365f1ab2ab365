export * from './cluster-operations';
export * from './innovate-platform';
export * from './observable-eks-cluster';
