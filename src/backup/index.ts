export * from './velero-backup';
export * from './velero-replica-bucket';
