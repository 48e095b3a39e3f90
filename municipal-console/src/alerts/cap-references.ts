/**
 * A CAP Update or Cancel names the message it follows by <references>: "sender,identifier,sent"
 * triples (CAP 1.2 §3.2.1). Kizuna finds the alert by the whole triple, by equality (never a
 * pattern): the identity an imported document arrived with, or the one a revision is exported
 * under (capIdentity in cap-export.ts: the document's own, or Kizuna's under the municipality's sender).
 * `sent` matches as an instant (the same moment written with another offset is the same time).
 * Only the alert's own sender, or a sender the municipality trusts, may change it.
 */
import type { Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import type { AlertService } from './alert-service.ts';
import type { CapReference } from './cap-import.ts';
import { capIdentity } from './cap-export.ts';

interface Found {
  id: string;
  sender: string;
}

const sameInstant = (a: string | undefined, b: string) => a !== undefined && Date.parse(a) === Date.parse(b);

/** The alert the references name (the latest created, if they name more than one), or a named 404. */
export async function referencedAlert(
  db: Queryable,
  alerts: AlertService,
  refs: CapReference[],
  ownSender: string,
): Promise<Found> {
  const identifiers = [...new Set(refs.flatMap((r) => [r.identifier, r.identifier.replace(/-r\d+$/, '')]))];
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM alerts WHERE identifier = ANY($1::text[]) ORDER BY created_at DESC, id DESC',
    [identifiers],
  );
  for (const { id } of rows) {
    const a = await alerts.get(id);
    const known: { sender: string; identifier: string; sent?: string }[] = [];
    for (const r of await alerts.revisions(id)) {
      const c = r.spec.cap;
      // the identity an imported document (Alert or Update) arrived with
      if (c?.identifier && c.sender && c.sent) known.push({ sender: c.sender, identifier: c.identifier, sent: c.sent });
      // the identity this revision is exported under (cap-export.ts)
      known.push(capIdentity(a, r, ownSender));
    }
    const hit = refs.some((ref) =>
      known.some((k) => k.sender === ref.sender && k.identifier === ref.identifier && sameInstant(k.sent, ref.sent)),
    );
    if (hit) return { id: a.id, sender: a.sender };
  }
  throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(
    `no alert is the CAP message ${refs.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' or ')}`,
    { references: refs.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' ') },
  );
}

/** Refuses (403 KZ_CONSOLE_CAP_SENDER) an Update or Cancel from a sender that neither issued the alert nor is trusted. */
export function checkCapSender(found: Found, sender: string, trusted: string[]): void {
  if (sender === found.sender || trusted.includes(sender)) return;
  throw consoleErrors.KZ_CONSOLE_CAP_SENDER(`${sender} did not issue this alert (its sender is ${found.sender})`, {
    field: '/alert/sender',
    got: sender,
  });
}
