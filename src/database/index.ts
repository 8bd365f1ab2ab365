export * from './postgres-database-options';
export * from './secure-rds';
export * from './backup-copy-vault';
export * from './secure-aurora-postgres';
export * from './postgres-database';
