/**
 * Renewals followed the way the gateway runs alone (src/server.ts): the authority is a separate
 * HTTP server; the gateway trusts the anchors it publishes, asks its OCSP responder, and follows
 * its renewal links over HTTP (`/links/renewal/:serial`) — nothing in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import {
  createAuthority,
  createVerifier,
  JpkiClient,
  ocspStatusSource,
  type RunningAuthority,
  startAuthorityServer,
} from '@kizuna/jpki';
import { httpCardLinks, httpRenewalLinks } from '../src/jpki-adapters.ts';
import {
  enrolledWithNotice,
  issueResident,
  openHarness,
  silentLogger,
  type Harness,
  type Pki,
  type Resident,
} from './helpers.ts';

const HOUR = 3600_000;

for (const engine of dbEngines()) {
  describe(`renewals over the authority's HTTP API (${engine.name})`, () => {
    let server: RunningAuthority;
    let pki: Pki;
    let h: Harness;
    beforeAll(async () => {
      server = await startAuthorityServer({ authority: await createAuthority({}), port: 0, logger: silentLogger() });
      const anchors = await (await fetch(new URL('/ca/anchors.pem', server.url))).text();
      pki = {
        authority: server.authority,
        verifier: createVerifier({
          trustAnchors: anchors,
          status: ocspStatusSource(new URL('/ocsp', server.url).toString()),
        }),
        links: httpRenewalLinks(server.url, 2000),
        cardLinks: httpCardLinks(server.url, 2000),
      };
      h = await openHarness(engine, pki, { watchIntervalS: 3600 });
    });
    afterAll(async () => {
      await h.close();
      await server.close().catch(() => undefined);
    });

    const events = async (ins: { keyId: string; secret: string }, type: string) =>
      (await h.call(ins, 'GET', '/insurer/v1/events')).body.events.filter((e: any) => e.type === type);
    const renewCard = async (r: Resident, reason?: 'moved'): Promise<Resident> => {
      const renewed = await pki.authority.renew(
        r.signSerial,
        { authPin: r.pin, signPassword: r.password },
        reason ? { reason, person: { address: '絆市港2丁目3番4号' } } : {},
      );
      return {
        ...r,
        client: new JpkiClient(renewed.card),
        card: renewed.card,
        signSerial: renewed.signSerial,
        authSerial: renewed.authSerial,
      };
    };
    const cardLogin = async (r: Resident) => {
      const cert = Buffer.from(await r.client.readAuthCertificate()).toString('base64');
      const ch = (await h.app.inject({ method: 'POST', url: '/postbox/v1/login/challenge' })).json();
      const signature = Buffer.from(await r.client.authSign(r.pin, Buffer.from(ch.challenge, 'base64'))).toString(
        'base64',
      );
      return h.app.inject({
        method: 'POST',
        url: '/postbox/v1/login',
        payload: { id: ch.id, signature, certificate: cert },
      });
    };

    it('the watcher finds a renewal over HTTP, moves the enrolment to the new certificate silently, then watches the new one', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-H1');
      const renewed = await renewCard(r);
      h.clock.advance(HOUR);
      const res = await h.app.gateway.watcher!.runOnce();
      expect(res).toMatchObject({ renewed: 1, revoked: 0, unknown: 0 });
      const { rows } = await h.db.query<{ sign_serial: string; cert_status: string }>(
        `SELECT sign_serial, cert_status FROM gw_enrolments WHERE policy = 'POL-H1'`,
      );
      expect(rows[0]).toEqual({ sign_serial: renewed.signSerial, cert_status: 'good' });
      expect(await events(ins, 'certificate.revoked')).toEqual([]);
      // The new certificate (which came with the link) is now the one checked over OCSP.
      pki.authority.revoke(renewed.signSerial, 'died');
      h.clock.advance(HOUR);
      expect(await h.app.gateway.watcher!.runOnce()).toMatchObject({ revoked: 1 });
      expect((await events(ins, 'certificate.revoked')).map((e: any) => e.data.reason)).toEqual(['died']);
    });

    it('the renewed card logs in to the same post-box (new → old link) and its report is accepted through the old → new link', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const first = await cardLogin(r);
      expect(first.statusCode).toBe(200);
      const f = await enrolledWithNotice(h, r, ins, 'POL-H2');
      expect(f.postboxId).toBe(first.json().postboxId);
      const renewed = await renewCard(r);
      expect((await cardLogin(r)).json()).toMatchObject({ code: 'KZ_GW_LOGIN_FAILED', details: { reason: 'revoked' } });
      const again = await cardLogin(renewed);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: false, postboxId: f.postboxId });
      const rep = await h.tv(again.json().token, 'POST', '/reports', await h.report(renewed, f.notice));
      expect(rep.status).toBe(201);
      const { rows } = await h.db.query<{ sign_serial: string }>(
        `SELECT sign_serial FROM gw_enrolments WHERE policy = 'POL-H2'`,
      );
      expect(rows[0]!.sign_serial).toBe(renewed.signSerial);
      const reports = (await h.call(ins, 'GET', '/insurer/v1/reports')).body.reports;
      expect(reports.find((x: any) => x.noticeId === f.noticeId)).toMatchObject({
        verification: { result: 'valid', reason: 'ok', signerSerial: renewed.signSerial },
      });
      expect(await events(ins, 'certificate.revoked')).toEqual([]);
    });

    it("a card of a stranger is not taken for a renewal: not the session's card", async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const stranger = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-H3');
      const strangerRenewed = await renewCard(stranger); // a renewal, but of someone else's card
      const rep = await h.tv(f.token, 'POST', '/reports', await h.report(strangerRenewed, f.notice));
      expect(rep.body).toMatchObject({
        code: 'KZ_GW_SIGNER_NOT_SESSION_CARD',
        details: { reason: 'signer-not-session-card' },
      });
    });

    it('a move over HTTP is told to the insurer as moved-or-renamed, not followed silently', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-H4');
      await renewCard(r, 'moved');
      h.clock.advance(HOUR);
      await h.app.gateway.watcher!.runOnce();
      expect((await events(ins, 'certificate.revoked')).map((e: any) => e.data.reason)).toEqual(['moved-or-renamed']);
    });

    it('with the authority unreachable nothing is concluded: no event, no move, checked again later', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-H5');
      await renewCard(r);
      await server.close();
      h.clock.advance(HOUR);
      const res = await h.app.gateway.watcher!.runOnce();
      expect(res.unknown).toBeGreaterThanOrEqual(1);
      expect(res).toMatchObject({ renewed: 0, revoked: 0 });
      const { rows } = await h.db.query<{ sign_serial: string; cert_status: string }>(
        `SELECT sign_serial, cert_status FROM gw_enrolments WHERE policy = 'POL-H5'`,
      );
      expect(rows[0]).toEqual({ sign_serial: r.signSerial, cert_status: 'good' });
      expect(await events(ins, 'certificate.revoked')).toEqual([]);
    });
  });
}
