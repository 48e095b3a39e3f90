export * from './db.ts';
export * from './browser.ts';
export * from './lightning.ts';
export * from './find-browser.ts';
export * from './log.ts';
export * from './live-stream.ts';
export * from './bench-town.ts';
export * from './jma-docs.ts';
