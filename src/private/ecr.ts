/**
 * What `docker push` needs on a repository: AWS's documented minimum for
 * pushing an image (`BatchGetImage` lets buildx read the manifests it links
 * into a multi-arch image index). Shared by `ContainerRegistry.grantPush`
 * and `GithubDeployRoles`.
 */
export const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];
