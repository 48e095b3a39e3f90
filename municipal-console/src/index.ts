export {
  buildConsoleApp,
  startConsole,
  migrateConsole,
  MIGRATIONS_DIR,
  type ConsoleOptions,
  type ConsoleApp,
  type StartedConsole,
} from './app.ts';
export { AlertService } from './alerts/alert-service.ts';
export { systemClock, type Clock } from './clock.ts';
export type { AlertView, AlertState, RevisionView } from './alerts/alert-views.ts';
export { addZone, listZones, type ZoneInput } from './register/zones.ts';
export { seedResidents, type ResidentInput } from './register/resident-records.ts';
export { addShelter, listShelters, setShelterState, type ShelterInput } from './shelters/shelter-register.ts';
export { registerDevice, type DeviceInput } from './devices/devices.ts';
export { bindResidentToDevice, endBindings, type BindingInput } from './devices/device-bindings.ts';
export { createStaff, login, ROLES, type Role, type StaffMember } from './staff/staff.ts';
export { verifyAuditChain, readAudit, useAuditKey, type AuditHead } from './staff/audit.ts';
export { loadAuditKey, AuditHeadExport } from './staff/audit-head.ts';
export { alertStatus, type AlertStatusView } from './live/alert-status.ts';
export { rescueList, type RescueRow } from './live/rescue-list.ts';
export { consoleErrors } from './errors.ts';
export { loadConsoleConfig, ConsoleConfigSchema } from './config.ts';
export { consoleTuning, type ConsoleTuning } from './config-options.ts';
export type { AlertSpec, Target, Group } from './alerts/alert-spec.ts';
export { render, displayName, PACKS } from './alerts/templates.ts';
export { BindingService, type WatchResult } from './register/binding.ts';
export { inProcessAuthorityLinks, httpAuthorityLinks, type AuthorityLinks } from './authority-links.ts';
export { connectPublishers } from './live/mqtt-publishers.ts';
export { buildRoster, recordRosterDisclosure, type BuiltRoster } from './shelters/roster.ts';
export { matchResident, normaliseAddress, splitCardName } from './register/personal-match.ts';
// What the cross-part tests and benchmarks in system/ use beyond the above.
export { Ingest } from './live/ingest.ts';
export { LiveHub } from './live/live-hub.ts';
export { LiveFigures } from './live/live-figures.ts';
export { audit } from './staff/audit.ts';
export { setJmaAreas, municipalityAreas } from './jma/jma-store.ts';
