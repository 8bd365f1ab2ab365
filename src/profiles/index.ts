export * from './stage';
export * from './stage-profile';
export * from './stage-profiles';
export * from './staged-props';
