export * from './profiles';
export * from './network';
