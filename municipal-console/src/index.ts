export {
  buildConsoleApp,
  startConsole,
  migrateConsole,
  MIGRATIONS_DIR,
  type ConsoleOptions,
  type ConsoleApp,
  type StartedConsole,
} from './app.ts';
export { AlertService, systemClock, type Clock, type AlertView, type AlertState, type RevisionView } from './alerts.ts';
export {
  addZone,
  listZones,
  seedResidents,
  addShelter,
  listShelters,
  setShelterState,
  registerDevice,
  bindResidentToDevice,
  endBindings,
  type ZoneInput,
  type ResidentInput,
  type ShelterInput,
  type DeviceInput,
  type BindingInput,
} from './register.ts';
export { createStaff, login, ROLES, type Role, type StaffMember } from './staff.ts';
export { verifyAuditChain, readAudit } from './audit.ts';
export { alertStatus, rescueList, type AlertStatusView, type RescueRow } from './status.ts';
export { consoleErrors } from './errors.ts';
export { loadConsoleConfig, ConsoleConfigSchema } from './config.ts';
export type { AlertSpec, Target, Group } from './alert-spec.ts';
export { render, displayName, PACKS } from './templates.ts';
export { BindingService, type WatchResult } from './binding.ts';
export { inProcessAuthorityLinks, httpAuthorityLinks, type AuthorityLinks } from './authority-links.ts';
export { buildRoster, recordRosterDisclosure, type BuiltRoster } from './roster.ts';
export { matchResident, normaliseAddress, splitCardName } from './personal-match.ts';
