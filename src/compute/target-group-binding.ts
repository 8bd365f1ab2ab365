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
}

