/**
 * The console's input limits, in one place: the API schemas, the domain checks and docs/OPERATIONS.md
 * ("Console: what each role can see, and input limits") quote them. Each is far above anything a
 * municipality needs and far below what would strain the database or the TVs.
 */
export const LIMITS = {
  /** Zone, shelter and display names. */
  nameLength: 100,
  /** Addresses, supporters, display texts. */
  textLength: 200,
  phoneLength: 32,
  usernameLength: 64,
  /** Positions of a zone's or an alert's polygon (a town boundary drawn by hand has a few hundred). */
  polygonPoints: 2_000,
  /** Zone ids in one alert's target; duplicates are refused. */
  targetZones: 500,
  /** Metres: a circle target larger than a prefecture is a mistake. */
  circleRadiusM: 100_000,
  /** A shelter's capacity (people). */
  shelterCapacity: 100_000,
  /** An alert's expiry is at most this far ahead (ms): 31 days. */
  expiresWithinMs: 31 * 24 * 3600_000,
  /** The earliest birth date the register accepts; the latest is today. */
  earliestBirthDate: '1900-01-01',
} as const;
