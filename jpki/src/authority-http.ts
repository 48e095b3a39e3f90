/**
 * The authority over HTTP: the OCSP responder (RFC 6960 appendix A: POST
 * application/ocsp-request, and GET with the base64 request in the path), CRLs and CA
 * certificates for download (RFC 5280 §4.2.1.13 / §4.2.2.1 URLs), and the published links from
 * a signing certificate to the card's authentication certificate and from an old certificate
 * to its renewal (old → new with the new certificate, and new → old), and the feed of
 * revocations (`GET /events`, a long poll) for relying parties that want news in seconds.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createHttpServer, createLogger, listen, type Logger, type TlsFiles } from '@kizuna/core';
import { createAuthority, type Authority, type AuthorityOptions } from './authority.ts';
import { normalizeSerial } from './bytes.ts';
import { jpkiErrors } from './errors.ts';

export interface AuthorityRoutesOptions {
  authority: Authority;
}

const SerialParams = Type.Object({ serial: Type.String({ pattern: '^[0-9a-fA-F]{1,64}$' }) });

export const authorityRoutes: FastifyPluginAsyncTypebox<AuthorityRoutesOptions> = async (app, { authority }) => {
  app.addContentTypeParser(
    'application/ocsp-request',
    { parseAs: 'buffer', bodyLimit: 16 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const ocsp = async (der: Uint8Array, reply: FastifyReply) =>
    reply
      .type('application/ocsp-response')
      .header('cache-control', 'no-store')
      .send(Buffer.from(await authority.ocsp(der)));

  // The start-up banner prints this server's URL: its root says what it serves, each entry a working link.
  app.get('/', async (req) => {
    const base = `${req.protocol}://${req.host}`;
    return {
      service: 'Kizuna test certificate authority (stands in for J-LIS)',
      ocsp: { post: `${base}/ocsp`, get: `${base}/ocsp/{base64 OCSP request}` },
      crls: { sign: `${base}/crl/sign.crl`, auth: `${base}/crl/auth.crl` },
      trustAnchors: {
        root: `${base}/ca/root.cer`,
        sign: `${base}/ca/sign.cer`,
        auth: `${base}/ca/auth.cer`,
        pem: `${base}/ca/anchors.pem`,
      },
      links: { auth: `${base}/links/auth/{signing certificate serial}`, renewal: `${base}/links/renewal/{serial}` },
      changes: `${base}/events?after={last seq seen}&wait={seconds}`,
    };
  });

  app.post('/ocsp', async (req, reply) => {
    if (!Buffer.isBuffer(req.body))
      throw jpkiErrors.KZ_JPKI_MALFORMED('send the DER OCSP request as application/ocsp-request');
    return ocsp(req.body, reply);
  });
  // A record, not Type.Object({ '*': … }): TypeBox's Value.Convert (run on params) reads property
  // names as regular expressions, and '*' throws. The wildcard is always there ('' at most).
  app.get('/ocsp/*', { schema: { params: Type.Record(Type.String(), Type.String()) } }, async (req, reply) =>
    ocsp(Buffer.from(decodeURIComponent(req.params['*'] ?? ''), 'base64'), reply),
  );

  app.get('/crl/:kind', { schema: { params: Type.Object({ kind: Type.String() }) } }, async (req, reply) => {
    const kind = req.params.kind.replace(/\.crl$/, '');
    if (kind !== 'sign' && kind !== 'auth')
      throw jpkiErrors.KZ_JPKI_CERT_UNKNOWN(`no CRL "${req.params.kind}"; use sign.crl or auth.crl`);
    return reply
      .type('application/pkix-crl')
      .header('cache-control', 'max-age=60')
      .send(Buffer.from(await authority.crl(kind)));
  });

  app.get('/ca/:name', { schema: { params: Type.Object({ name: Type.String() }) } }, async (req, reply) => {
    const anchors = authority.trustAnchors();
    if (req.params.name === 'anchors.pem') return reply.type('application/x-pem-file').send(anchors.pem);
    const name = req.params.name.replace(/\.(cer|der)$/, '');
    if (name !== 'root' && name !== 'sign' && name !== 'auth')
      throw jpkiErrors.KZ_JPKI_CERT_UNKNOWN(
        `no CA "${req.params.name}"; use root.cer, sign.cer, auth.cer or anchors.pem`,
      );
    return reply.type('application/pkix-cert').send(Buffer.from(anchors[name]));
  });

  // The change feed (authority-feed.ts) as a long poll: answers at once when something changed
  // after `after`, else when something does or after `wait` seconds. Pending polls end at close.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  app.get(
    '/events',
    {
      schema: {
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, description: 'seconds to wait for a change' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
      },
    },
    async (req, reply) => {
      const { after = 0, wait = 0, limit = 500 } = req.query;
      reply.header('cache-control', 'no-store');
      const now = authority.changes(after, limit);
      if (now.events.length || wait === 0) return now;
      const gone = new AbortController();
      reply.raw.on('close', () => gone.abort());
      await authority.waitForChanges(after, wait * 1000, AbortSignal.any([gone.signal, closing.signal]));
      return authority.changes(after, limit);
    },
  );

  app.get('/links/auth/:serial', { schema: { params: SerialParams } }, async (req) => {
    const signSerial = normalizeSerial(req.params.serial);
    const authSerial = authority.linkedAuthSerial(signSerial);
    if (!authSerial)
      throw jpkiErrors.KZ_JPKI_CERT_UNKNOWN(`${signSerial} is not a signing certificate of this authority`);
    return { signSerial, authSerial };
  });

  app.get('/links/renewal/:serial', { schema: { params: SerialParams } }, async (req) => {
    const serial = normalizeSerial(req.params.serial);
    const st = authority.status(serial); // 404 for a serial this authority never issued
    const renewedTo = authority.renewedTo(serial);
    // The new certificate travels with the link: a relying party that knows the old serial (it
    // holds the old certificate) can check the new one without a certificate-by-serial lookup,
    // which would hand the four items in signing certificates to anyone guessing serials.
    return {
      serial,
      renewedTo,
      renewedFrom: st.renewedFrom ?? null,
      renewedToCertificate: renewedTo ? Buffer.from(authority.certificate(renewedTo)).toString('base64') : null,
    };
  });
};

export interface AuthorityServerOptions extends AuthorityOptions {
  /** TCP port (default 18840; 0 picks a free one). */
  port?: number;
  host?: string;
  /** Use this authority instead of creating one from dataDir. */
  authority?: Authority;
  logger?: Logger;
  /** Serve HTTPS from these PEM files. */
  tls?: TlsFiles | undefined;
}

export interface RunningAuthority {
  url: string;
  authority: Authority;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function buildAuthorityApp(
  authority: Authority,
  logger: Logger,
  tls?: TlsFiles,
): Promise<FastifyInstance> {
  const app = await createHttpServer({ name: 'jpki-authority', logger, tls });
  await app.register(authorityRoutes, { authority });
  return app;
}

export async function startAuthorityServer(opts: AuthorityServerOptions = {}): Promise<RunningAuthority> {
  const port = opts.port ?? 18840;
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? createLogger({ name: 'jpki-authority' });
  const authority =
    opts.authority ??
    (await createAuthority({ ...opts, publicUrl: opts.publicUrl ?? `http://${host}:${port || 18840}` }));
  const app = await buildAuthorityApp(authority, logger, opts.tls);
  const url = await listen(app, host, port);
  return { url, authority, app, close: () => app.close() };
}
