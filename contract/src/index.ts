export * from './ids.ts';
export * from './levels.ts';
export * from './topics.ts';
export * from './messages.ts';
export * from './roster.ts';
export * from './binding.ts';
export * from './documents.ts';
export * from './postbox-link.ts';
