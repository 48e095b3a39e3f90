export * from './db.ts';
export * from './browser.ts';
