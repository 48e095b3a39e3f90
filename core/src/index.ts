export * from './errors.ts';
export * from './config.ts';
export * from './log.ts';
export * from './http.ts';
export * from './db/index.ts';
