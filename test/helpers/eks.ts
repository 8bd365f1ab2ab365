import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * A kubectl layer imported by ARN: the real `KubectlV35Layer` is a 36 MB
 * asset that every synthesis would copy, and tests assert our resources, not
 * the layer's.
 */
export function testKubectlLayer(stack: Stack): lambda.ILayerVersion {
  const existing = stack.node.tryFindChild('TestKubectlLayer') as lambda.ILayerVersion | undefined;
  return existing ?? lambda.LayerVersion.fromLayerVersionArn(stack, 'TestKubectlLayer', `arn:aws:lambda:${stack.region}:123456789012:layer:kubectl-v35:1`);
}

/**
 * A bare aws-eks-v2 cluster with a kubectl provider, for blocks that install
 * into any cluster (they take `eks.ICluster`, not `ObservableEksCluster`).
 */
export function newBareTestCluster(stack: Stack, vpc?: ec2.IVpc): eks.Cluster {
  return new eks.Cluster(stack, 'BareCluster', {
    version: eks.KubernetesVersion.V1_35,
    vpc: vpc ?? new ec2.Vpc(stack, 'BareVpc', { maxAzs: 2, natGateways: 1 }),
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    defaultCapacity: 0,
    kubectlProviderOptions: { kubectlLayer: testKubectlLayer(stack) },
  });
}
