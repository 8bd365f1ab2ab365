/**
 * Who runs the nodes of the cluster.
 */
export enum CapacityMode {
  /**
   * Self-managed Karpenter (the default): a small On-Demand Graviton
   * managed node group for system pods, and Karpenter NodePools on Graviton
   * Spot and On-Demand (the profile's `cluster.spotPercentage`) for everything else. No per-node
   * management fee; the platform team operates Karpenter.
   */
  KARPENTER = 'KARPENTER',
  /**
   * EKS Auto Mode: AWS runs Karpenter, the VPC CNI, CoreDNS, the EBS CSI
   * driver and the load balancer controller, for a management fee per
   * instance (about 12% on top of the EC2 price). The built-in
   * `general-purpose` pool (amd64, On-Demand only) is replaced by Graviton
   * and Spot NodePools of the same shape as the Karpenter ones.
   */
  EKS_AUTO_MODE = 'EKS_AUTO_MODE',
}
