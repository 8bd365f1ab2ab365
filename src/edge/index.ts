export * from './web-acl';
export * from './api-load-balancer';
export * from './web-frontend';
