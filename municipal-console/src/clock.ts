/** The console's clock: the system's, or a test's (the alert timer, expiry and ingest read it). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
