export * from './fluent-bit';
export * from './logging-domain';
export * from './platform-alarms';
export * from './prometheus-stack';
