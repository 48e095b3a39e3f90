/**
 * kizuna-authority: the operator's command line for the test authority (the J-LIS stand-in).
 * `npx tsx jpki/src/cli.ts --help`; every command has its own --help with an example.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { KzError, createLogger } from '@kizuna/core';
import { createAuthority, type Authority, type CertStatusInfo } from './authority.ts';
import { startAuthorityServer } from './authority-http.ts';
import { AUTHORITY_REASONS, type AuthorityReason } from './revocation-reason.ts';
import type { Sex } from './personal.ts';

const program = new Command('kizuna-authority')
  .description(
    'Test certificate authority standing in for J-LIS: issue emulated My Number cards, revoke, renew, publish CRLs and answer OCSP.',
  )
  .option(
    '-d, --data-dir <dir>',
    "the authority's keys and register (created on first use)",
    process.env.KZ_JPKI_DATA_DIR ?? '.data/jpki',
  )
  .option(
    '--public-url <url>',
    'base URL written into new certificates for OCSP and CRLs',
    process.env.KZ_JPKI_PUBLIC_URL,
  )
  .showHelpAfterError('(run with --help for usage)');

const open = (): Promise<Authority> => {
  const o = program.opts<{ dataDir: string; publicUrl?: string }>();
  return createAuthority({ dataDir: o.dataDir, ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}) });
};

const day = (d: Date) => d.toISOString().slice(0, 10);

function row(s: CertStatusInfo): string {
  const state = s.status === 'revoked' ? `revoked (${s.reason}, ${day(s.revokedAt!)})` : s.expired ? 'expired' : 'good';
  return [
    s.serial,
    s.kind.padEnd(4),
    state.padEnd(28),
    `until ${day(s.notAfter)}`,
    s.label,
    s.renewedTo ? `→ renewed to ${s.renewedTo}` : '',
  ]
    .join('  ')
    .trimEnd();
}

function details(s: CertStatusInfo): string {
  return [
    `serial        ${s.serial}`,
    `kind          ${s.kind === 'sign' ? 'signing certificate (署名用電子証明書)' : 'user-authentication certificate (利用者証明用電子証明書)'}`,
    `label         ${s.label}`,
    `status        ${s.status}${s.reason ? ` — ${s.reason}, ${s.revokedAt!.toISOString()}` : ''}`,
    `valid         ${s.notBefore.toISOString()} – ${s.notAfter.toISOString()}${s.expired ? ' (expired)' : ''}`,
    `same card     ${s.pairSerial} (${s.kind === 'sign' ? 'authentication' : 'signing'} certificate)`,
    ...(s.renewedFrom ? [`renewed from  ${s.renewedFrom}`] : []),
    ...(s.renewedTo ? [`renewed to    ${s.renewedTo}`] : []),
  ].join('\n');
}

const cardOptions = (c: Command) =>
  c
    .requiredOption('--pin <4 digits>', 'authentication PIN of the new card (4 digits)')
    .requiredOption('--password <6-16 chars>', 'signing password of the new card (6–16 upper-case letters and digits)')
    .requiredOption('-o, --out <file>', 'where to write the card file')
    .addOption(
      new Option('--card-key <key>', 'key that protects the card file (or set KZ_JPKI_CARD_KEY)')
        .env('KZ_JPKI_CARD_KEY')
        .makeOptionMandatory(),
    )
    .option('--label <text>', 'a label shown when choosing a card (no personal data)');

cardOptions(
  program
    .command('issue')
    .description(
      'issue a card for a resident: an authentication and a signing certificate, written as an encrypted card file',
    )
    .requiredOption('--name <name>', 'family and given name, separated by a full-width space (山田　花子)')
    .requiredOption('--address <address>', 'registered address')
    .requiredOption('--birth-date <YYYY-MM-DD>', 'date of birth')
    .addOption(new Option('--sex <n>', '1 male, 2 female, 3 not known').choices(['1', '2', '3']).makeOptionMandatory()),
)
  .addHelpText(
    'after',
    '\nExample:\n  $ kizuna-authority issue --name "山田　花子" --address "絆市山手一丁目2番3号" --birth-date 1950-04-01 --sex 2 \\\n      --pin 1234 --password ABC123 --card-key demo -o hanako.card',
  )
  .action(async (o) => {
    const a = await open();
    const r = await a.issueCard(
      { name: o.name, address: o.address, birthDate: o.birthDate, sex: Number(o.sex) as Sex },
      { authPin: o.pin, signPassword: o.password },
      o.label ? { label: o.label } : {},
    );
    r.card.save(o.out, o.cardKey);
    console.log(
      `card written to ${o.out}\n  authentication certificate  ${r.authSerial}\n  signing certificate         ${r.signSerial}\n  valid until                 ${day(r.notAfter)}`,
    );
  });

program
  .command('list')
  .description('list every certificate issued, with its status')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const all = (await open()).list();
    if (o.json) return console.log(JSON.stringify(all, null, 2));
    if (all.length === 0) return console.log('no certificates issued yet (see: issue --help)');
    console.log(['serial'.padEnd(32), 'kind', 'status'.padEnd(28), 'valid', 'label'].join('  '));
    for (const s of all) console.log(row(s));
  });

program
  .command('status')
  .description('show one certificate: status, validity, the other certificate of the card, renewal links')
  .argument('<serial>', 'certificate serial (hex)')
  .option('--json', 'machine-readable output')
  .action(async (serial, o) => {
    const s = (await open()).status(serial);
    console.log(o.json ? JSON.stringify(s, null, 2) : details(s));
  });

program
  .command('revoke')
  .description('revoke a certificate; card-lost and died also revoke the other certificate of the card')
  .argument('<serial>', 'certificate serial (hex)')
  .addOption(new Option('-r, --reason <reason>', 'why').choices([...AUTHORITY_REASONS]).makeOptionMandatory())
  .addHelpText(
    'after',
    '\nA move or a change of name ends the signing certificate only; the authentication certificate carries\nno personal data and survives. Example:\n  $ kizuna-authority revoke 4d2cb17c77a90a79585e05e205d28f54 --reason moved',
  )
  .action(async (serial, o) => {
    for (const r of (await open()).revoke(serial, o.reason as AuthorityReason))
      console.log(`revoked ${r.kind} certificate ${r.serial} (${r.reason})`);
  });

cardOptions(
  program
    .command('renew')
    .description(
      'issue a new card for the holder of a signing certificate; the old certificates are revoked and linked to the new ones',
    )
    .argument('<signSerial>', 'serial of the current signing certificate')
    .option('--name <name>', 'new name, if it changed')
    .option('--address <address>', 'new address, if it changed')
    .addOption(
      new Option('-r, --reason <reason>', 'why the old certificates end')
        .choices(['renewed', 'moved', 'renamed'])
        .default('renewed'),
    ),
)
  .addHelpText(
    'after',
    '\nExample (after a move):\n  $ kizuna-authority renew 4d2cb17c77a90a79585e05e205d28f54 --reason moved --address "絆市港二丁目1番" \\\n      --pin 1234 --password ABC123 --card-key demo -o hanako-2.card',
  )
  .action(async (serial, o) => {
    const person = { ...(o.name ? { name: o.name } : {}), ...(o.address ? { address: o.address } : {}) };
    const r = await (
      await open()
    ).renew(
      serial,
      { authPin: o.pin, signPassword: o.password },
      { person, reason: o.reason, ...(o.label ? { label: o.label } : {}) },
    );
    r.card.save(o.out, o.cardKey);
    console.log(
      `new card written to ${o.out}\n  signing         ${r.renewedFrom.signSerial} → ${r.signSerial}\n  authentication  ${r.renewedFrom.authSerial} → ${r.authSerial}`,
    );
  });

program
  .command('crl')
  .description('write the current CRL of one issuing CA (DER)')
  .addOption(new Option('--kind <kind>', 'which CA').choices(['sign', 'auth']).makeOptionMandatory())
  .requiredOption('-o, --out <file>', 'output file')
  .action(async (o) => {
    writeFileSync(o.out, await (await open()).crl(o.kind));
    console.log(`CRL written to ${o.out}`);
  });

program
  .command('anchors')
  .description('write the root and the two issuing CA certificates (PEM): what verifiers trust')
  .requiredOption('-o, --out <file>', 'output file')
  .action(async (o) => {
    writeFileSync(o.out, (await open()).trustAnchors().pem);
    console.log(`trust anchors written to ${o.out}`);
  });

program
  .command('serve')
  .description(
    'answer OCSP (POST /ocsp) and serve CRLs (/crl/sign.crl, /crl/auth.crl), CA certificates (/ca/…) and links (/links/…)',
  )
  .option('-p, --port <port>', 'TCP port', '18840')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .action(async (o) => {
    const port = Number(o.port);
    const publicUrl = program.opts().publicUrl ?? `http://${o.host}:${port}`;
    const authority = await createAuthority({ dataDir: program.opts().dataDir, publicUrl });
    const s = await startAuthorityServer({
      authority,
      port,
      host: o.host,
      logger: createLogger({ name: 'jpki-authority' }),
    });
    console.log(`authority listening on ${s.url} (Ctrl-C to stop)`);
    process.once('SIGINT', () => void s.close().then(() => process.exit(0)));
    process.once('SIGTERM', () => void s.close().then(() => process.exit(0)));
  });

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof KzError) {
    console.error(`error ${e.code}: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
