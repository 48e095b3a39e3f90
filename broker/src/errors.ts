/** The broker part's coded errors: one registry, each code documented in broker/README.md. */
import { defineErrors } from '@kizuna/core';

export const brokerErrors = defineErrors({
  KZ_BROKER_IDENTITY_INVALID: { message: 'broker identity is invalid', status: 400 },
  KZ_BROKER_USERNAME_TAKEN: { message: 'broker username already belongs to another identity', status: 409 },
  KZ_BROKER_ALREADY_ISSUED: {
    message: 'credentials are already issued for this device; rotate them instead',
    status: 409,
  },
  KZ_BROKER_UNKNOWN_USERNAME: { message: 'no broker credentials with this username', status: 404 },
  KZ_BROKER_REVOKED: { message: 'broker credentials are revoked', status: 409 },
  KZ_BROKER_SYNC_FAILED: { message: 'the external broker did not apply a credential change', status: 502 },
  KZ_BROKER_BINARY_MISSING: { message: 'broker program is not installed', status: 500 },
  KZ_BROKER_START_FAILED: { message: 'broker did not start', status: 500 },
  KZ_BROKER_MANAGEMENT_FAILED: {
    message: "RabbitMQ's management API did not list or close a device's connections",
    status: 502,
  },
});
