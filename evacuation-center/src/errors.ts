/** Coded errors of the shelter terminal; every code is documented in README.md (tested). */
import { defineErrors } from '@kizuna/core';

export const shelterErrors = defineErrors({
  KZ_SHELTER_CARD_UNREADABLE: { message: 'the card could not be read; try again or check in by hand', status: 422 },
  KZ_SHELTER_CARD_REVOKED: { message: 'the card has been revoked; check in by hand', status: 422 },
  KZ_SHELTER_CARD_INVALID: { message: 'the card certificate is not valid; check in by hand', status: 422 },
  KZ_SHELTER_CARD_STATUS_UNKNOWN: { message: 'the card status cannot be checked now; check in by hand', status: 422 },
  KZ_SHELTER_TAP_EXPIRED: { message: 'this card tap has expired; tap the card again', status: 410 },
  KZ_SHELTER_NOT_IN_HOUSEHOLD: { message: "person is not in the tapped resident's household", status: 400 },
  KZ_SHELTER_UNKNOWN_PERSON: { message: 'no such person on the roster', status: 404 },
  KZ_SHELTER_ALREADY_CHECKED_IN: { message: 'already checked in', status: 409 },
  KZ_SHELTER_NOT_PRESENT: { message: 'person is not checked in here', status: 409 },
  KZ_SHELTER_FULL: { message: 'the shelter is full; confirm to check in anyway or transfer', status: 409 },
  KZ_SHELTER_UNDO_REFUSED: { message: 'this event cannot be undone here', status: 409 },
  KZ_SHELTER_ROSTER_INVALID: { message: 'the roster from the console is invalid', status: 502 },
  KZ_SHELTER_ROSTER_UNAVAILABLE: { message: 'the console could not be reached for the roster', status: 503 },
  KZ_SHELTER_ROSTER_REFUSED: { message: "the console refused this terminal's credentials", status: 502 },
  KZ_SHELTER_BAD_REQUEST: { message: 'request is invalid', status: 400 },
});

export type ShelterErrorCode = keyof typeof shelterErrors;
