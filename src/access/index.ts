export * from './admin-access-method';
export * from './admin-access';
