export * from './profiles';
export * from './network';
export * from './database';
export * from './access';
export * from './governance';
export * from './compute';
