/** CodeBuild's final build states, each notified. */
export const DELIVERY_BUILD_STATES = ['SUCCEEDED', 'FAILED', 'STOPPED'] as const;

/**
 * The build spec of a delivery project: refuse a build without an image tag,
 * point kubectl at the cluster (the build role's access entry), then run the
 * bundle's deploy script, whose exit status is the build's.
 */
export function buildSpec(): string {
  const spec = {
    version: 0.2,
    env: { shell: 'bash' },
    phases: {
      build: {
        commands: [
          'if [ -z "${IMAGE_TAG:-}" ]; then echo "IMAGE_TAG is not set: start the build with --environment-variables-override name=IMAGE_TAG,value=<tag>" >&2; exit 1; fi',
          'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$AWS_REGION"',
          'bash "$DEPLOY_SCRIPT"',
        ],
      },
    },
  };
  return JSON.stringify(spec, undefined, 2);
}
