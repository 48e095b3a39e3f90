/** Request and response schemas of the register API: zones, shelters, residents (and the CSV extract's problems), TVs and bindings. */
import Type from 'typebox';
import { CareNeedSchema, HazardSchema, LanguageSchema } from '@kizuna/contract';
import { REGISTER_ROW_PROBLEMS, type RegisterRowProblemCode } from './register/resident-records.ts';
import { BINDING_END_REASONS, type BindingEndReason } from './register/residents.ts';
import { Id, LonLat, Nullable, Time } from './schemas.ts';
import { LIMITS } from './limits.ts';

const closed = { additionalProperties: false } as const;

export const ZoneBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    nameEn: Type.Optional(Type.String({ maxLength: LIMITS.nameLength })),
    polygon: Type.Array(LonLat, { minItems: 4, maxItems: LIMITS.polygonPoints }),
  },
  closed,
);
export const ZoneView = Type.Object({
  id: Id,
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  polygon: Type.Array(LonLat),
});
const Capacity = Type.Integer({ minimum: 0, maximum: LIMITS.shelterCapacity });
export const ShelterBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
    address: Type.String({ minLength: 1, maxLength: LIMITS.textLength }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    capacity: Capacity,
    hazards: Type.Array(HazardSchema, { maxItems: 16 }),
    welfare: Type.Boolean(),
    open: Type.Optional(Type.Boolean()),
    serves: Type.Optional(
      Type.Array(Id, {
        maxItems: LIMITS.targetZones,
        description:
          'zones whose residents this shelter expects (指定避難所): marked assigned on its roster (which holds every resident)',
      }),
    ),
    nameLatin: Type.Optional(
      Type.String({
        maxLength: LIMITS.nameLength,
        description: "the shelter's name for non-Japanese screens (romanised or translated)",
      }),
    ),
    addressLatin: Type.Optional(
      Type.String({ maxLength: LIMITS.textLength, description: 'its address for non-Japanese screens' }),
    ),
  },
  closed,
);
export const ShelterView = Type.Object({
  ...ShelterBody.properties,
  open: Type.Boolean(),
  occupancy: Type.Optional(Type.Integer()),
  needsCare: Type.Optional(Type.Integer({ description: 'of those present, how many need care (要配慮)' })),
  outside: Type.Optional(
    Type.Integer({
      description:
        'of those present, evacuees from outside the municipality (域外避難者: a valid card not on the roster)',
    }),
  ),
});
export const ShelterPatch = Type.Object(
  {
    open: Type.Optional(Type.Boolean()),
    capacity: Type.Optional(Capacity),
  },
  closed,
);

// Lengths and ranges are checked by residentProblems, so the JSON and CSV imports name them alike.
export const ResidentBody = Type.Object(
  {
    id: Id,
    familyName: Type.String(),
    givenName: Type.String(),
    familyKana: Type.String(),
    givenKana: Type.String(),
    address: Type.String(),
    birthDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    sex: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
    language: LanguageSchema,
    needsHelp: Type.Boolean(),
    supporter: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    household: Type.Optional(Id),
    zone: Id,
    lat: Type.Optional(Type.Number()),
    lon: Type.Optional(Type.Number()),
    careNeeds: Type.Optional(
      Type.Array(CareNeedSchema, { maxItems: 16, description: 'care needs shown on shelter rosters' }),
    ),
    familyNameLatin: Type.Optional(
      Type.String({ description: "the name in alphabet as registered (foreign residents' records): family part" }),
    ),
    givenNameLatin: Type.Optional(Type.String({ description: 'the name in alphabet as registered: given part' })),
  },
  closed,
);
const codesDoc = (codes: Record<string, string>) =>
  Object.entries(codes)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
export const BindingEndReasonSchema = Type.Enum(Object.keys(BINDING_END_REASONS) as BindingEndReason[], {
  description: `why the binding ended — ${codesDoc(BINDING_END_REASONS)}`,
});
export const ResidentSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  zoneId: Type.String(),
  householdId: Nullable(Type.String()),
  language: Type.String(),
  needsHelp: Type.Boolean(),
  devices: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      status: Type.String(),
      reason: Nullable(Type.String({ description: 'as stored, for people; reasonCode is the stable form' })),
      reasonCode: Nullable(BindingEndReasonSchema),
      endedBy: Nullable(Type.String({ description: 'staff member who ended it (staff-unbind)' })),
      lifeEvent: Nullable(
        Type.String({ description: 'card-revoked: moved-or-renamed, died, card-lost, renewed or other' }),
      ),
      boundAt: Time,
      endedAt: Nullable(Time),
    }),
  ),
  personalAlerts: Type.Boolean({ description: 'true when at least one active binding delivers personal alerts' }),
});
const RegisterFigures = {
  residents: Type.Integer(),
  needsHelp: Type.Integer({ description: '避難行動要支援者' }),
  personalAlerts: Type.Integer({ description: 'with at least one active TV binding' }),
};
export const ResidentCountsView = Type.Object({
  ...RegisterFigures,
  zones: Type.Array(Type.Object({ zoneId: Type.String(), ...RegisterFigures })),
});
/** One problem of one line of the register extract (CSV import); the UI words `code` in its own language. */
export const RegisterRowError = Type.Object({
  code: Type.Enum(Object.keys(REGISTER_ROW_PROBLEMS) as RegisterRowProblemCode[], {
    description: codesDoc(REGISTER_ROW_PROBLEMS),
  }),
  line: Type.Integer({
    minimum: 0,
    description: 'line in the file as a spreadsheet numbers it (header = 1; 0 if unknown)',
  }),
  field: Type.Optional(Type.String({ description: 'the column, by its header name' })),
  value: Type.Optional(Type.String({ description: 'the value found' })),
  expected: Type.Optional(
    Type.String({
      description:
        "field-count: the header's field count; duplicate-id: the earlier line; too-long: the maximum length; out-of-range: the limit; bad-language, bad-care-needs: the allowed values, comma-separated",
    }),
  ),
  message: Type.String({ description: 'the same in English, for people reading the API' }),
});
export const RegisterCsvInvalidReply = Type.Object({
  code: Type.String({
    description: 'KZ_CONSOLE_CSV_INVALID (or KZ_VALIDATION and the like for a request that is not CSV)',
  }),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  details: Type.Optional(
    Type.Object(
      {
        rows: Type.Optional(
          Type.Array(
            Type.Object({
              row: Type.Integer({ minimum: 0, description: 'line in the file (header = 1)' }),
              id: Nullable(Type.String({ description: "the row's resident id, if it has one" })),
              errors: Type.Array(RegisterRowError, { minItems: 1 }),
            }),
            { description: 'every refused line, with every problem of it; nothing was imported' },
          ),
        ),
      },
      { additionalProperties: true },
    ),
  ),
  requestId: Type.Optional(Type.String()),
});
export const DeviceBody = Type.Object(
  {
    id: Id,
    zone: Id,
    household: Type.Optional(Id),
    brokerUsername: Type.Optional(Type.String({ maxLength: LIMITS.usernameLength })),
  },
  closed,
);
export const DeviceView = Type.Object({
  id: Type.String(),
  zoneId: Type.String(),
  householdId: Nullable(Type.String()),
  status: Type.String(),
  residents: Type.Integer(),
});
export const BindBody = Type.Object(
  {
    residentId: Id,
    deviceId: Id,
    authSerial: Type.Optional(Type.String({ maxLength: 128 })),
    signSerial: Type.Optional(Type.String({ maxLength: 128 })),
  },
  closed,
);
