export * from './velero-backup';
export * from './velero-replica-bucket';
export * from './velero-backup-store';
