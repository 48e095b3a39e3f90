/**
 * CAP 1.2 to the letter (issue 20): namespace, the OASIS schema, hostile XML, limits, and identity
 * (<references> as the exact triple, the sender's right to change an alert, approval) – bare HTTP
 * through the app, on each database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { bearer, consoleWith, ManualClock, seedTown, sendDraft, staffToken, startBroker } from './helpers.ts';

const NS = 'urn:oasis:names:tc:emergency:cap:1.2';
const SENDER = 'bousai@city.example.jp';
const SENT = '2026-11-23T19:00:00+09:00';

interface Doc {
  identifier?: string;
  sender?: string;
  sent?: string;
  status?: string;
  msgType?: string;
  references?: string;
  infos?: string[] | undefined;
  root?: (body: string) => string;
}
const info = (o: { language?: string; level?: string; area?: string; description?: string; extra?: string } = {}) =>
  `<info>
    <language>${o.language ?? 'ja-JP'}</language>
    <category>Met</category>
    <event>洪水</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-23T23:00:00+09:00</expires>
    ${o.description !== undefined ? `<description>${o.description}</description>` : ''}
    <instruction>川沿いの道は通らないでください。</instruction>
    <parameter><valueName>EvacuationLevel</valueName><value>${o.level ?? '4'}</value></parameter>
    ${o.extra ?? ''}
    <area>
      <areaDesc>川辺地区</areaDesc>
      ${o.area ?? '<geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>'}
    </area>
  </info>`;
const body = (d: Doc) => `
  <identifier>${d.identifier ?? 'JP-999997-strict-1'}</identifier>
  <sender>${d.sender ?? SENDER}</sender>
  <sent>${d.sent ?? SENT}</sent>
  <status>${d.status ?? 'Exercise'}</status>
  <msgType>${d.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  ${d.references ? `<references>${d.references}</references>` : ''}
  ${(d.infos ?? [info()]).join('\n')}`;
const cap = (d: Doc = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${(d.root ?? ((b) => `<alert xmlns="${NS}">${b}</alert>`))(body(d))}`;

/** A closed ring of n points around (36.0, 140.0) as CAP writes it ("lat,lon …"). */
export function ring(n: number): string {
  const pts: string[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    pts.push(`${(36.005 + 0.004 * Math.sin(a)).toFixed(6)},${(140.005 + 0.004 * Math.cos(a)).toFixed(6)}`);
  }
  return [...pts, pts[0]].join(' ');
}

for (const engine of dbEngines()) {
  describe(`CAP 1.2 to the letter on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let issuer: string;
    let approver: string;
    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, new ManualClock(), {
        capLimits: {
          bytes: 256 * 1024,
          infos: 4,
          areas: 6,
          points: 3000,
          textChars: 2000,
          trustedSenders: ['kenchou@pref.example.jp'],
        },
      });
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      approver = await staffToken(c.app, 'approver1', ['approver']);
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    const post = (payload: string | Buffer, token = issuer, type = 'application/cap+xml') =>
      c.app.inject({
        method: 'POST',
        url: '/api/alerts/cap',
        headers: { ...bearer(token), 'content-type': type },
        payload,
      });
    /** Import and send as staff do: every import is a draft, sent as its confirmation showed it (issue 19). */
    const sent = async (payload: string) => {
      const r = await post(payload);
      expect(r.statusCode, r.body).toBeLessThan(300);
      const s = await sendDraft(c.app, issuer, r.json().id);
      expect(s.statusCode, s.body).toBe(200);
      return s;
    };
    const count = async () => (await c.app.inject({ url: '/api/alerts', headers: bearer(issuer) })).json().length;
    /** A named 400: the code, the reason and the element's path; nothing stored. */
    const refused = async (payload: string | Buffer, reason: string, field?: string | RegExp) => {
      const before = await count();
      const r = await post(payload);
      expect(r.statusCode, r.body).toBe(400);
      const e = r.json();
      expect(e).toMatchObject({ code: 'KZ_CONSOLE_CAP_INVALID', details: { reason } });
      if (field !== undefined) expect(e.details.field).toMatch(field);
      expect(await count()).toBe(before);
      return e;
    };

    describe('the namespace', () => {
      it('refuses CAP 1.1, no namespace and a foreign prefixed namespace, by name', async () => {
        const e = await refused(
          cap({ root: (b) => `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1">${b}</alert>` }),
          'namespace',
          /^\/alert$/,
        );
        expect(e.details).toMatchObject({ allowed: NS, got: 'urn:oasis:names:tc:emergency:cap:1.1' });
        expect((await refused(cap({ root: (b) => `<alert>${b}</alert>` }), 'namespace')).details.got).toBe('');
        await refused(cap({ root: (b) => `<x:alert xmlns:x="urn:example:other">${b}</x:alert>` }), 'namespace');
      });
      it('accepts the CAP 1.2 namespace under a prefix', async () => {
        const prefixed = cap({ identifier: 'JP-999997-prefixed' })
          .replace(`<alert xmlns="${NS}">`, `<cap:alert xmlns:cap="${NS}">`)
          .replace(/<(\/?)([a-zA-Z]+)>/g, '<$1cap:$2>')
          .replace('</alert>', '</cap:alert>');
        const r = await post(prefixed);
        expect(r.statusCode, r.body).toBe(201);
      });
    });

    describe('the OASIS CAP 1.2 schema', () => {
      it('refuses elements out of order, unknown elements and values the schema forbids, naming the element', async () => {
        const swapped = cap({ identifier: 'JP-999997-order' }).replace(
          /(<identifier>[^<]*<\/identifier>)\s*(<sender>[^<]*<\/sender>)/,
          '$2$1',
        );
        const e = await refused(swapped, 'schema', /^\/alert\/(identifier|sender)$/);
        expect(e.message).toContain('CAP 1.2 schema');
        await refused(
          cap({ identifier: 'JP-999997-unknown', infos: [info({ extra: '<colour>red</colour>' })] }),
          'schema',
          /^\/alert\/info\[1\]\/colour$/,
        );
        await refused(
          cap({ identifier: 'JP-999997-lang', infos: [info({ language: 'not a language tag' })] }),
          'schema',
          /^\/alert\/info\[1\]\/language$/,
        );
      });
    });

    describe('hostile XML', () => {
      const dtd = (decl: string) => cap().replace('<alert ', `${decl}\n<alert `);
      it('refuses a DOCTYPE outright: external, parameter and PUBLIC entities', async () => {
        await refused(dtd('<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), 'doctype');
        await refused(dtd('<!DOCTYPE alert [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'), 'doctype');
        await refused(dtd('<!DOCTYPE alert PUBLIC "-//X//EN" "http://127.0.0.1:9/x.dtd">'), 'doctype');
        await refused(dtd('<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'), 'doctype');
      });
      it('refuses 20,000 nested elements by name', async () => {
        const deep = cap({ infos: [info({ extra: `${'<x>'.repeat(20_000)}${'</x>'.repeat(20_000)}` })] });
        await refused(deep, 'depth');
      });
      it('refuses invalid UTF-8 (nothing stored with U+FFFD)', async () => {
        const bytes = Buffer.from(cap({ identifier: 'JP-999997-utf8' }), 'utf8');
        const at = bytes.indexOf(Buffer.from('川沿い'));
        bytes[at + 1] = 0xff;
        const e = await refused(bytes, 'utf-8');
        expect(e.details.byte).toBe(at + 1); // 1-based: where the broken sequence starts
        await refused(Buffer.from(cap().replace('UTF-8', 'ISO-8859-1')), 'encoding');
      });
    });

    describe('XML read by the guard itself', () => {
      it('reads entities, character references and CDATA as text; a bare "&" or a stray end tag is not XML', async () => {
        const doc = cap({ identifier: 'JP-999997-text' }).replace(
          '川沿いの道は通らないでください。',
          '川沿い &amp; 橋&#x306E;<![CDATA[ <近く> & ]]>は&lt;危険&gt;',
        );
        const r = await post(doc);
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json().spec.extra.ja).toBe('川沿い & 橋の <近く> & は<危険>');
        await refused(cap().replace('川沿い', '川 & 沿い'), 'not-xml', /^\/$/);
        await refused(cap().replace('</event>', '</event></info>'), 'not-xml');
        await refused(cap().replace('</alert>', '</alert><alert/>'), 'not-xml');
      });
    });

    describe('limits', () => {
      it('refuses too many <info>s and <area>s, too many points and too long a text, by name', async () => {
        await refused(cap({ infos: [1, 2, 3, 4, 5].map(() => info()) }), 'too-many', /^\/alert\/info\[5\]$/);
        const areas = Array.from({ length: 7 }, () => '<area><areaDesc>x</areaDesc></area>').join('');
        await refused(
          cap({ infos: [info({ extra: '' }).replace('</info>', `${areas}</info>`)] }),
          'too-many',
          /area\[/,
        );
        await refused(
          cap({ infos: [info({ area: `<polygon>${ring(2001)}</polygon>` })] }),
          'too-many',
          /polygon\[1\]$/,
        );
        const p = `<polygon>${ring(1600)}</polygon>`;
        const two = cap({ infos: [info({ area: p }), info({ language: 'en-US', area: p })] });
        await refused(two, 'too-many', /^\/alert\/info\[2\]\/area\[1\]\/polygon\[1\]$/);
        const e = await refused(cap({ infos: [info({ description: 'あ'.repeat(2001) })] }), 'too-long');
        expect(e.details).toMatchObject({ field: '/alert/info[1]/description', limit: 2000 });
      });
      it('refuses a body over the byte limit with 413 KZ_BODY_TOO_LARGE', async () => {
        const r = await post(cap({ infos: [info({ description: 'x'.repeat(300 * 1024) })] }));
        expect(r.statusCode).toBe(413);
        expect(r.json().code).toBe('KZ_BODY_TOO_LARGE');
      });
    });

    describe('identity: <references> and who may change an alert', () => {
      let id: string;
      const ref = (identifier = 'JP-999997-id-1', sent = SENT, sender = SENDER) => `${sender},${identifier},${sent}`;
      beforeAll(async () => {
        const r = await sent(cap({ identifier: 'JP-999997-id-1' }));
        id = r.json().id;
        await sent(cap({ identifier: 'JP-999997-idx1', sender: 'other@example.jp' }));
      });
      const cancel = (references: string, sender = SENDER, identifier = 'JP-999997-id-c') =>
        cap({ identifier, sender, msgType: 'Cancel', references, infos: [] });

      it('a Cancel must name the exact triple: another sent or sender finds nothing', async () => {
        const later = await post(cancel(ref('JP-999997-id-1', '2026-11-23T19:00:01+09:00')));
        expect(later.statusCode, later.body).toBe(404);
        const wrongSender = await post(cancel(ref('JP-999997-id-1', SENT, 'other@example.jp')));
        expect(wrongSender.statusCode, wrongSender.body).toBe(404);
        const pattern = await post(cancel(ref('JP-999997-id_1')));
        expect(pattern.statusCode, pattern.body).toBe(404);
        expect((await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(issuer) })).json().state).toBe('active');
      });
      it('a Cancel from another sender is refused by name; the alert stays', async () => {
        const r = await post(cancel(ref(), 'other@example.jp'));
        expect(r.statusCode, r.body).toBe(403);
        expect(r.json()).toMatchObject({ code: 'KZ_CONSOLE_CAP_SENDER', details: { field: '/alert/sender' } });
        expect((await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(issuer) })).json().state).toBe('active');
      });
      it('the same instant written with another offset is the same sent; a Cancel with no <info> lifts the alert', async () => {
        const r = await post(cancel(ref('JP-999997-id-1', '2026-11-23T10:00:00+00:00')));
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json()).toMatchObject({ id, state: 'active', draft: { msgType: 'Cancel' } });
        expect((await sendDraft(c.app, issuer, id)).json()).toMatchObject({
          id,
          state: 'cancelled',
          msgType: 'Cancel',
        });
      });
      it('a sender the municipality trusts may cancel another sender’s alert', async () => {
        const r = await post(cancel(ref('JP-999997-idx1', SENT, 'other@example.jp'), 'kenchou@pref.example.jp'));
        expect(r.statusCode, r.body).toBe(200);
        expect((await sendDraft(c.app, issuer, r.json().id)).json()).toMatchObject({ state: 'cancelled' });
      });
      it('an Update names the exact triple and comes from the alert’s sender; another sender’s is refused', async () => {
        const a = await sent(cap({ identifier: 'JP-999997-up-1' }));
        const update = (sender: string, references: string) =>
          cap({
            identifier: `JP-999997-up-${sender.length}`,
            sender,
            msgType: 'Update',
            references,
            infos: [info({ level: '5' })],
          });
        const stranger = await post(update('other@example.jp', ref('JP-999997-up-1')));
        expect(stranger.statusCode, stranger.body).toBe(403);
        expect(stranger.json().code).toBe('KZ_CONSOLE_CAP_SENDER');
        const wrongSent = await post(update(SENDER, ref('JP-999997-up-1', '2026-11-23T18:59:59+09:00')));
        expect(wrongSent.statusCode, wrongSent.body).toBe(404);
        const ok = await post(update(SENDER, ref('JP-999997-up-1')));
        expect(ok.statusCode, ok.body).toBe(200);
        expect(ok.json()).toMatchObject({ id: a.json().id, draft: { level: 5, msgType: 'Update' } });
        expect((await sendDraft(c.app, issuer, a.json().id)).json()).toMatchObject({ level: 5, msgType: 'Update' });
      });
      it('a CAP Cancel of an active real alert follows the approval rule: it waits for a second person', async () => {
        const a = await sent(cap({ identifier: 'JP-999997-real-1', status: 'Actual' }));
        expect(a.json()).toMatchObject({ state: 'pending-approval' });
        const pending = a.json().pending;
        const ok = await c.app.inject({
          method: 'POST',
          url: `/api/alerts/${a.json().id}/approve`,
          headers: bearer(approver),
          payload: { revision: pending.revision, digest: pending.digest },
        });
        expect(ok.json()).toMatchObject({ state: 'active' });
        const r = await post(
          cap({
            identifier: 'JP-999997-real-c',
            status: 'Actual',
            msgType: 'Cancel',
            references: ref('JP-999997-real-1'),
            infos: [],
          }),
        );
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json()).toMatchObject({ state: 'active', pending: null, draft: { msgType: 'Cancel' } });
        expect((await sendDraft(c.app, issuer, a.json().id)).json()).toMatchObject({
          state: 'active',
          pending: { msgType: 'Cancel' },
        });
      });
    });

    describe('an import that reaches no one', () => {
      it('is kept as a draft with a warning, not sent, until staff send it', async () => {
        // a square in the sea, far from every zone of the town
        const sea = '<polygon>30.0,135.0 30.0,135.01 30.01,135.01 30.01,135.0 30.0,135.0</polygon>';
        const r = await post(cap({ identifier: 'JP-999997-sea', infos: [info({ area: sea })] }));
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json()).toMatchObject({ state: 'draft', spec: { cap: { warnings: ['reaches-no-one'] } } });
        // the confirmation names the warning; a send that does not acknowledge it is refused, nothing sent
        const shown = await c.app.inject({ url: `/api/alerts/${r.json().id}/confirmation`, headers: bearer(issuer) });
        expect(shown.statusCode, shown.body).toBe(200);
        expect(shown.json().warnings).toEqual(['reaches-no-one']);
        const send = (more: object) =>
          c.app.inject({
            method: 'POST',
            url: `/api/alerts/${r.json().id}/send`,
            headers: bearer(issuer),
            payload: { revision: shown.json().revision, digest: shown.json().digest, ...more },
          });
        const unconfirmed = await send({});
        expect(unconfirmed.statusCode, unconfirmed.body).toBe(409);
        expect(unconfirmed.json()).toMatchObject({
          code: 'KZ_CONSOLE_WARNING_UNCONFIRMED',
          details: { warnings: ['reaches-no-one'] },
        });
        expect((await c.app.inject({ url: `/api/alerts/${r.json().id}`, headers: bearer(issuer) })).json().state).toBe(
          'draft',
        );
        // staff confirm it: sent
        const ok1 = await send({ acknowledged: ['reaches-no-one'] });
        expect(ok1.statusCode, ok1.body).toBe(200);
        expect(ok1.json().state).toBe('active');
        // a polygon over a zone has no warning: a draft sent as any other
        const land = `<polygon>${ring(20)}</polygon>`;
        const ok = await sent(cap({ identifier: 'JP-999997-land', infos: [info({ area: land })] }));
        expect(ok.json()).toMatchObject({ state: 'active' });
        expect(ok.json().spec.cap.warnings).toBeUndefined();
      });
    });

    describe('what Kizuna does not render', () => {
      it('keeps an <info> in a language not shown on TVs and reports it on the alert', async () => {
        const es = info({ language: 'es-US' })
          .replace('川沿いの道は通らないでください。', 'Evite la carretera del río.')
          .replace('<event>洪水</event>', '<event>Inundación</event>');
        const r = await post(cap({ identifier: 'JP-999997-es', infos: [info(), es] }));
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json().spec.cap.notShown).toEqual([
          expect.objectContaining({
            language: 'es-US',
            event: 'Inundación',
            instruction: 'Evite la carretera del río.',
          }),
        ]);
      });
    });
  });
}
