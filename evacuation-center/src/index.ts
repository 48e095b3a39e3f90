export * from './app.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './mqtt-link.ts';
export * from './roster.ts';
export * from './store.ts';
export * from './terminal.ts';
export * from './verifier.ts';
