/** Which residents a TV shows personal alerts to: bindings made, refreshed and ended. */
import { coreErrors, type Db, type Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';

const now = () => new Date();

export interface BindingInput {
  residentId: string;
  deviceId: string;
  authSerial?: string | undefined;
  signSerial?: string | undefined;
}

/**
 * Link a resident to a TV directly (demo and test set-up, and the last step of card binding,
 * register/binding.ts). Binding the same pair again is a no-op that refreshes the certificate serials.
 */
export async function bindResidentToDevice(
  db: Db,
  b: BindingInput | BindingInput[],
  actor = 'system',
): Promise<{ count: number }> {
  const list = Array.isArray(b) ? b : [b];
  return db.tx(async (q) => {
    for (const x of list) await bindIn(q, x);
    await appendAudit(
      q,
      {
        actor,
        action: 'binding.create',
        subject: list.length === 1 ? list[0]!.residentId : undefined,
        details: { count: list.length },
      },
      now(),
    );
    return { count: list.length };
  });
}

export async function bindIn(q: Queryable, x: BindingInput): Promise<void> {
  const r = await q.query('SELECT 1 FROM residents WHERE id = $1', [x.residentId]);
  if (!r.rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_RESIDENT(x.residentId);
  const d = await q.query<{ status: string }>('SELECT status FROM devices WHERE id = $1', [x.deviceId]);
  if (!d.rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_DEVICE(x.deviceId);
  const up = await q.query(
    `UPDATE bindings SET auth_serial = COALESCE($3, auth_serial), sign_serial = COALESCE($4, sign_serial)
    WHERE resident_id = $1 AND device_id = $2 AND status = 'active'`,
    [x.residentId, x.deviceId, x.authSerial ?? null, x.signSerial ?? null],
  );
  if (up.rowCount === 0) {
    await q.query('INSERT INTO bindings (resident_id, device_id, auth_serial, sign_serial) VALUES ($1, $2, $3, $4)', [
      x.residentId,
      x.deviceId,
      x.authSerial ?? null,
      x.signSerial ?? null,
    ]);
  }
}

/** End a resident's bindings (to one device, or all): unbound by the resident, or revoked card. */
export async function endBindings(
  q: Queryable,
  where: { residentId?: string; deviceId?: string; authSerial?: string; signSerial?: string },
  status: 'unbound' | 'revoked' | 'superseded',
  reason: string,
  at: Date,
): Promise<number> {
  const conds: string[] = ["status = 'active'"];
  const params: unknown[] = [status, reason, at];
  for (const [col, v] of [
    ['resident_id', where.residentId],
    ['device_id', where.deviceId],
    ['auth_serial', where.authSerial],
    ['sign_serial', where.signSerial],
  ] as const) {
    if (v !== undefined) {
      params.push(v);
      conds.push(`${col} = $${params.length}`);
    }
  }
  if (params.length === 3) throw coreErrors.KZ_VALIDATION('endBindings needs a condition');
  const { rowCount } = await q.query(
    `UPDATE bindings SET status = $1, reason = $2, ended_at = $3 WHERE ${conds.join(' AND ')}`,
    params,
  );
  return rowCount;
}
