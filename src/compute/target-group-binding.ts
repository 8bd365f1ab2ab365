import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Options of `ObservableEksCluster.addTargetGroupBinding`.
 */
export interface TargetGroupBindingOptions {
  /** Namespace of the Service (and of the binding). */
  readonly namespace: string;
  /** The Service whose ready pods become the targets. */
  readonly serviceName: string;
  /** The Service port whose target port receives the traffic. */
  readonly servicePort: number;
  /**
   * ARN of an IP target group of a load balancer CDK owns, e.g.
   * `ApiLoadBalancer.targetGroup.targetGroupArn`.
   */
  readonly targetGroupArn: string;

  /**
   * The subnets of the load balancer's network interfaces, in the cluster's
   * VPC: the namespace's network policy must admit them, or every health
   * check fails (an application namespace of this cluster is checked).
   *
   * @default - the VPC's private subnets with egress (the application tier, where an internal `ApiLoadBalancer` lives)
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
}

