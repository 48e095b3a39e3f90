/**
 * Card binding, TV → console (issue 4): a resident links their My Number card to a TV by signing
 * a registration with the card's signing certificate (署名用電子証明書). The console checks the
 * signature, the chain and the revocation status, matches the certificate's four personal items
 * against its register, and links resident ↔ TV ↔ the card's user-authentication certificate serial
 * (the authority's sign→auth link). No My Number is read, sent or stored.
 *
 *   POST {console}/api/bind/nonce   {device}                 → BindNonce (single use, expiring)
 *   POST {console}/api/bind         {cms: base64 DER}        → BindResult
 *     cms: CMS SignedData (RFC 5652), content embedded, over the UTF-8 JSON of a BindRegistration
 *   GET  {console}/api/bind                                  → the TV's active bindings
 *   DELETE {console}/api/bind/{bindingId}                    → 204 (unbind)
 *   GET  {console}/api/bind/disclosures?limit=50             → TvDisclosures (My information)
 *     All five: Authorization: Basic base64(username:password) — the TV's own broker credentials.
 */
import Type, { type Static } from 'typebox';
import { ID_PATTERN } from './ids.ts';

export { BIND_PATHS, bindRegistrationBytes } from './bytes.ts';

const Id = Type.String({ pattern: ID_PATTERN.source });
const IsoTime = Type.String({ format: 'date-time' });

/** The console's answer to POST /api/bind/nonce. */
export const BindNonceSchema = Type.Object({
  nonce: Type.String({ pattern: '^[A-Za-z0-9_-]{32,64}$' }),
  device: Id,
  muni: Id,
  expiresAt: IsoTime,
});

/** What the card signs: the nonce, and the TV and municipality it is for (so a signature cannot be moved). */
export const BindRegistrationSchema = Type.Object({
  v: Type.Literal(1),
  kind: Type.Literal('bind-registration'),
  nonce: Type.String({ pattern: '^[A-Za-z0-9_-]{32,64}$' }),
  device: Id,
  muni: Id,
});

/** One resident bound to this TV, as the TV may show it ("bound: 山田 花子"). */
export const BindingSchema = Type.Object({
  bindingId: Type.String({ pattern: '^[0-9]{1,20}$' }),
  device: Id,
  /** The card holder's name as the register has it, family name first. */
  displayName: Type.String(),
  boundAt: IsoTime,
});

const PurposeSchema = Type.Union(
  [Type.Literal('card-binding'), Type.Literal('shelter-roster'), Type.Literal('rescue-list'), Type.Literal('other')],
  {
    description:
      'card-binding: items read from the card and matched to the register; shelter-roster: sent to a shelter terminal to greet and check in evacuees; rescue-list: the rescue list downloaded by staff (CSV); other: anything else the console logged',
  },
);

/** One entry of the console's own disclosure log about a resident bound to the calling TV. */
export const TvDisclosureSchema = Type.Object({
  at: IsoTime,
  bindingId: Type.String({ description: 'the binding (on this TV) of the resident whose data was disclosed' }),
  displayName: Type.String({ description: 'that resident, as the binding list names them' }),
  purpose: PurposeSchema,
  recipient: Type.Object({
    kind: Type.Union([Type.Literal('municipality'), Type.Literal('shelter'), Type.Literal('staff')]),
    name: Type.Optional(
      Type.String({ description: "the shelter's name (shelter), the municipality code (municipality)" }),
    ),
    roles: Type.Optional(
      Type.Array(Type.String(), { description: "the staff member's roles (staff); never the username" }),
    ),
  }),
  items: Type.Array(Type.String(), { description: 'what was disclosed: name, address, birth-date, sex, phone, …' }),
});
/** The console's answer to GET /api/bind/disclosures. */
export const TvDisclosuresSchema = Type.Object({
  entries: Type.Array(TvDisclosureSchema, { description: 'newest first' }),
  more: Type.Boolean({ description: 'true when older entries were left off (limit)' }),
});

export type BindNonce = Static<typeof BindNonceSchema>;
export type TvDisclosure = Static<typeof TvDisclosureSchema>;
export type TvDisclosures = Static<typeof TvDisclosuresSchema>;
export type BindRegistration = Static<typeof BindRegistrationSchema>;
export type Binding = Static<typeof BindingSchema>;
