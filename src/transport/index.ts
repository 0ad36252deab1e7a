export * from './port';
export * from './with-close';
