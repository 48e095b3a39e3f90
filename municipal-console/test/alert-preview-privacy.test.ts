/**
 * The alert preview to a viewer (issue 24, item 10: viewers see counts, not people): the same
 * kinds and counts, the payloads with each resident's name replaced by a placeholder and no TV
 * named; approvers and issuers, who approve and send what residents see, get the real payloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { bearer, consoleWith, ManualClock, seedTown, staffToken, startBroker, issueAlert } from './helpers.ts';

interface Preview {
  counts: Record<string, number>;
  kinds: {
    kind: string;
    deviceId?: string;
    topic: string;
    payload: { recipients?: { displayName: string; reading?: string; headline: string }[] };
  }[];
}

describe.each(dbEngines())('the alert preview by role on $name', (engine) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof engine.open>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  const tokens: Record<string, string> = {};
  let alertId: string;

  beforeAll(async () => {
    broker = await startBroker();
    db = await engine.open();
    c = await consoleWith(db, broker, new ManualClock());
    await seedTown(db);
    tokens.issuer = await staffToken(c.app, 'issuer1', ['issuer']);
    tokens.approver = await staffToken(c.app, 'approver1', ['viewer', 'approver']);
    tokens.viewer = await staffToken(c.app, 'viewer1', ['viewer']);
    const r = await issueAlert(c.app, tokens.issuer, {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires: '2026-11-23T12:00:00Z',
      target: { zones: ['z-kawabe'] },
    });
    expect(r.statusCode, r.body).toBe(200);
    alertId = r.json().id;
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
    await broker?.close();
  });
  const previewAs = async (role: string) => {
    const r = await c.app.inject({ url: `/api/alerts/${alertId}/preview`, headers: bearer(tokens[role]!) });
    expect(r.statusCode, r.body).toBe(200);
    return { body: r.body, json: r.json() as Preview };
  };
  const names = (p: Preview) =>
    p.kinds.flatMap((k) => (k.payload.recipients ?? []).flatMap((x) => [x.displayName, x.reading ?? '']));

  it('approvers and issuers see the real payloads, names included', async () => {
    for (const role of ['approver', 'issuer']) {
      const { body, json } = await previewAs(role);
      expect(body).toContain('山田');
      expect(body).toContain('ヤマダ');
      expect(json.kinds.find((k) => k.kind === 'household')?.deviceId).toBe('tv-h1');
    }
  });

  it('shows the revision being sent while its fan-out runs (not 「この避難情報は見つかりません」)', async () => {
    // the state a large fan-out is in for seconds; set here, as a running fan-out leaves it
    await db.query("UPDATE alert_revisions SET state = 'fanning-out' WHERE alert_id = $1 AND revision = 1", [alertId]);
    try {
      const { json } = await previewAs('issuer');
      expect(json.kinds.find((k) => k.kind === 'household')?.deviceId).toBe('tv-h1');
    } finally {
      await db.query("UPDATE alert_revisions SET state = 'published' WHERE alert_id = $1 AND revision = 1", [alertId]);
    }
  });

  it('a viewer sees the same kinds and counts with no resident named and no TV named', async () => {
    const real = (await previewAs('approver')).json;
    const { body, json } = await previewAs('viewer');
    expect(json.counts).toEqual(real.counts);
    expect(json.kinds.map((k) => k.kind)).toEqual(real.kinds.map((k) => k.kind));
    for (const n of ['山田', '太郎', '花子', 'ヤマダ', 'スミス', '佐藤', 'tv-h1', 'tv-s1'])
      expect(body, n).not.toContain(n);
    for (const n of names(real).filter(Boolean)) expect(body, n).not.toContain(n);
    const household = json.kinds.find((k) => k.kind === 'household')!;
    expect(household.deviceId).toBeUndefined();
    expect(household.topic).toBe('kz/999997/tv/{device}/alert');
    expect(household.payload.recipients!.map((r) => r.displayName)).toEqual(['（氏名）', '（氏名）']);
    expect(household.payload.recipients![0]!.headline).toContain('（氏名）');
  });
});
