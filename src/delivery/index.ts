export * from './application-delivery';
