export * from './admin-access-method';
export * from './admin-access';
export * from './github-deploy-roles';
export * from './account-access';
