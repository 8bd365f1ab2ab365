export * from './innovate-platform';
