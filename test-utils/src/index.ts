export * from './db.ts';
export * from './browser.ts';
export * from './lightning.ts';
export * from './find-browser.ts';
