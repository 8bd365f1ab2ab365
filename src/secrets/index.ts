export * from './vault';
export * from './vault-store';
