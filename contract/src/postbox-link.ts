/**
 * Post-box → console (issue 23): before the post-box sends "mail waiting" to a TV, it asks the
 * TV's municipality whether that TV is bound to the resident whose card opened the post-box
 * session. The post-box operator authenticates with its own broker credentials (kind 'postbox').
 *
 *   POST {console}/api/postbox/device-check  DeviceCheckRequest → DeviceCheckAnswer
 *     Authorization: Basic base64(username:password)
 *
 * The post-box names the card by its authentication certificate serials (the current one and the
 * ones it renewed); the console answers only yes or no — never who the resident is.
 */
import Type, { type Static } from 'typebox';
import { ID_PATTERN } from './ids.ts';

export const POSTBOX_LINK_PATHS = { deviceCheck: '/api/postbox/device-check' } as const;

export const DeviceCheckRequestSchema = Type.Object(
  {
    device: Type.String({ pattern: ID_PATTERN.source }),
    authSerials: Type.Array(Type.String({ pattern: '^[0-9a-f]{1,64}$' }), { minItems: 1, maxItems: 9 }),
  },
  { additionalProperties: false },
);
export type DeviceCheckRequest = Static<typeof DeviceCheckRequestSchema>;

export const DeviceCheckAnswerSchema = Type.Object({
  bound: Type.Boolean({ description: 'the TV is active and bound to the resident holding one of these cards' }),
});
export type DeviceCheckAnswer = Static<typeof DeviceCheckAnswerSchema>;
