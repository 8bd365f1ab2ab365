export * from './assembly';
export * from './facts';
export * from './graph';
export * from './mermaid';
export * from './svg';
export * from './views';
