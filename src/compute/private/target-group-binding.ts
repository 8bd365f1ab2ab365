import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validateNamespaceName } from '../../private/kubernetes';
import { propError, validateIntegerRange } from '../../private/validation';
import { TargetGroupBindingOptions } from '../target-group-binding';

/** A Kubernetes Service name: an RFC 1035 label. */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A target group ARN (its region and account are checked by the controller at run time). */
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/**
 * The `TargetGroupBinding` (elbv2.k8s.aws/v1beta1) through which the AWS Load
 * Balancer Controller registers the ready pods of a Service, by IP, in a
 * target group CDK created: the load balancer stays CDK's (known ARN, alarms,
 * web ACL), the pods come and go with Kubernetes. `spec.networking` is left
 * out, so the controller changes no security group: the platform's
 * load balancer -> application chain admits the traffic.
 *
 * @param scope the construct reporting bad input
 * @param name the binding's object name
 * @param options the Service and the target group
 */
export function targetGroupBindingObject(scope: IConstruct, name: string, options: TargetGroupBindingOptions): { [key: string]: any } {
  validateNamespaceName(scope, 'namespace', options.namespace);
  if (!SERVICE_NAME.test(options.serviceName)) {
    throw propError(scope, 'serviceName', options.serviceName,
      'must be a Kubernetes Service name: 1-63 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit');
  }
  validateIntegerRange(scope, 'servicePort', options.servicePort, 1, 65535);
  if (!Token.isUnresolved(options.targetGroupArn) && !TARGET_GROUP_ARN.test(options.targetGroupArn)) {
    throw propError(scope, 'targetGroupArn', options.targetGroupArn,
      'must be an Elastic Load Balancing target group ARN: arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>');
  }
  return {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'TargetGroupBinding',
    metadata: { name, namespace: options.namespace },
    spec: {
      serviceRef: { name: options.serviceName, port: options.servicePort },
      targetGroupARN: options.targetGroupArn,
      targetType: 'ip',
    },
  };
}
