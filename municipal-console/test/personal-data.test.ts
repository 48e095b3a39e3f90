/**
 * Residents' personal data only where needed (issue 24, item 10): a viewer (and an approver) sees
 * the register and the rescue list as figures, nobody named; issuers and admins see people, and
 * every such read is in the audit log by resident id; every API answer says Cache-Control:
 * no-store; the rescue list carries no coordinates (no screen shows them). Over real HTTP (fetch)
 * on every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { consoleWith, seedTown, staffToken, startBroker, issueAlert } from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`personal data by role on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let base: string;
    const tokens: Record<string, string> = {};
    let alertId: string;

    const get = async (path: string, who: string) => {
      const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
      const text = await r.text();
      return { status: r.status, text, cache: r.headers.get('cache-control'), json: () => JSON.parse(text) };
    };
    const reads = async () =>
      (
        await db.query<{ actor: string; action: string; subject: string | null; details: Record<string, unknown> }>(
          "SELECT actor, action, subject, details FROM audit_log WHERE action LIKE 'read.%' ORDER BY seq",
        )
      ).rows;

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker);
      await seedTown(db);
      for (const role of ['viewer', 'approver', 'issuer', 'admin'] as const)
        tokens[role] = await staffToken(c.app, `${role}1`, [role]);
      base = await c.app.listen({ host: '127.0.0.1', port: 0 });
      const r = await issueAlert(c.app, tokens.issuer!, {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        expires: new Date(Date.now() + 3600_000).toISOString(),
        target: { zones: ['z-kawabe'] },
      });
      expect(r.statusCode, r.body).toBe(200);
      alertId = r.json().id as string;
    });
    afterAll(async () => {
      await c?.close();
      await db?.close();
      await broker?.close();
    });

    for (const who of ['viewer', 'approver']) {
      it(`a ${who} sees counts, not people`, async () => {
        for (const path of ['/api/residents', '/api/residents/R1', `/api/alerts/${alertId}/rescue.csv`]) {
          const r = await get(path, who);
          expect(r.status, `${path}: ${r.text}`).toBe(403);
          expect(r.json().code).toBe('KZ_CONSOLE_ROLE_REQUIRED');
        }
        const st = await get(`/api/alerts/${alertId}/status?residents=true`, who);
        expect(st.status, st.text).toBe(403);
        expect((await get(`/api/alerts/${alertId}/status`, who)).status).toBe(200);

        const counts = await get('/api/residents/counts', who);
        expect(counts.status, counts.text).toBe(200);
        expect(counts.json()).toMatchObject({ residents: 5, needsHelp: 1, personalAlerts: 4 });
        expect(counts.json().zones).toContainEqual({
          zoneId: 'z-kawabe',
          residents: 4,
          needsHelp: 1,
          personalAlerts: 3,
        });

        const rescue = await get(`/api/alerts/${alertId}/rescue?afterSeconds=0`, who);
        expect(rescue.status, rescue.text).toBe(200);
        expect(rescue.json().counts).toEqual({ people: 1, needHelp: 0, noAnswer: 1 });
        expect(rescue.json().people).toBeUndefined();
        for (const personal of ['山田', 'R1', '0299', '民生委員']) expect(rescue.text).not.toContain(personal);
        expect(await reads()).toEqual([]);
      });
    }

    it('an issuer sees the people on the rescue list, without coordinates, and the read is audited', async () => {
      const r = await get(`/api/alerts/${alertId}/rescue?afterSeconds=0`, 'issuer');
      expect(r.status, r.text).toBe(200);
      const people = r.json().people as Record<string, unknown>[];
      expect(people).toHaveLength(1);
      expect(people[0]).toMatchObject({ residentId: 'R1', name: '山田 太郎', phone: '0299-00-0001' });
      expect(people[0]).not.toHaveProperty('lat');
      expect(people[0]).not.toHaveProperty('lon');
      expect(await reads()).toContainEqual({
        actor: 'issuer1',
        action: 'read.rescue-list',
        subject: alertId,
        details: { people: 1, residentIds: ['R1'] },
      });
    });

    it('an admin reads the register and one resident, each read audited by resident id; personal status rows too', async () => {
      const list = await get('/api/residents?zone=z-kawabe', 'admin');
      expect(list.status, list.text).toBe(200);
      expect(list.json().map((x: { id: string }) => x.id)).toEqual(['R1', 'R2', 'R3', 'R5']);
      expect((await get('/api/residents/R3', 'admin')).status).toBe(200);
      const st = await get(`/api/alerts/${alertId}/status?residents=true`, 'issuer');
      expect(st.status, st.text).toBe(200);
      const rows = await reads();
      expect(rows).toContainEqual({
        actor: 'admin1',
        action: 'read.residents',
        subject: 'z-kawabe',
        details: { count: 4, offset: 0, residentIds: ['R1', 'R2', 'R3', 'R5'] },
      });
      expect(rows).toContainEqual({ actor: 'admin1', action: 'read.resident', subject: 'R3', details: {} });
      expect(rows).toContainEqual(
        expect.objectContaining({ actor: 'issuer1', action: 'read.alert-residents', subject: alertId }),
      );
      // ids and counts only: no name, address or phone in what the audit log keeps
      expect(JSON.stringify(rows)).not.toMatch(/山田|川辺|0299/);
    });

    it('every API answer with personal data (and every other) says Cache-Control: no-store', async () => {
      for (const [path, who] of [
        ['/api/residents', 'admin'],
        ['/api/residents/R1', 'admin'],
        [`/api/alerts/${alertId}/rescue`, 'issuer'],
        [`/api/alerts/${alertId}/rescue.csv`, 'issuer'],
        [`/api/alerts/${alertId}/status?residents=true`, 'issuer'],
        ['/api/residents/counts', 'viewer'],
        ['/api/residents', 'viewer'],
      ] as const) {
        const r = await get(path, who);
        expect(r.cache, `${path} as ${who}`).toBe('no-store');
      }
      const login = await fetch(`${base}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer1', password: 'viewer1-password-1' }),
      });
      expect(login.headers.get('cache-control')).toBe('no-store');
    });
  });
}
