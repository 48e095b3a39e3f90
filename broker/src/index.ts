export * from './errors.ts';
export * from './identity.ts';
export * from './topic-match.ts';
export * from './policy.ts';
export * from './password-hash.ts';
export * from './credential-store.ts';
export * from './embedded-broker.ts';
