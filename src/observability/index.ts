export * from './fluent-bit';
export * from './logging-domain';
