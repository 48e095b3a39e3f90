/**
 * First start: create the demo municipality in the console's database, issue every resident an
 * emulated card from the test authority, give every TV broker credentials and bind each
 * household's residents to its TV. Later starts only load the cards and rotate the TVs' broker
 * passwords (the store keeps hashes only, so a password exists only when it is issued).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@kizuna/core';
import { EmulatedCard, type Authority } from '@kizuna/jpki';
import type { CredentialStore, IssuedCredentials } from '@kizuna/broker';
import {
  addShelter,
  addZone,
  bindResidentToDevice,
  createStaff,
  listZones,
  registerDevice,
  seedResidents,
  setJmaAreas,
} from '@kizuna/municipal-console';
import type { Language } from '@kizuna/contract';
import {
  DEMO_JMA,
  DEMO_MUNI,
  DEMO_SHELTERS,
  DEMO_ZONES,
  demoResidents,
  demoTvs,
  type DemoResident,
} from './demo-data.ts';
import { DEMO_STAFF } from './demo-staff.ts';
import { credentialsFor } from './credentials.ts';

export interface DemoCard {
  residentId: string;
  label: string;
  card: EmulatedCard;
  authSerial: string;
  signSerial: string;
}
export interface DemoTvSeed {
  id: string;
  zone: string;
  residents: string[];
  language: Language;
  credentials: IssuedCredentials;
}
export interface DemoSeed {
  created: boolean;
  cards: DemoCard[];
  tvs: DemoTvSeed[];
  residents: DemoResident[];
}

/** The label a card-reader bridge shows: enough to pick a demo card, no personal data beyond the demo's. */
const cardLabel = (r: DemoResident) => `${r.id} ${r.familyName} ${r.givenName}`;

async function cardKey(cardsDir: string): Promise<string> {
  const file = join(cardsDir, '.card-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

export async function seedDemo(o: {
  db: Db;
  authority: Authority;
  credentials: CredentialStore;
  cardsDir: string | undefined;
  progress: (l: string) => void;
}): Promise<DemoSeed> {
  const residents = demoResidents();
  const tvs = demoTvs(residents);
  const created = (await listZones(o.db)).length === 0;
  const cards: DemoCard[] = [];
  if (o.cardsDir) await mkdir(o.cardsDir, { recursive: true });
  const key = o.cardsDir ? await cardKey(o.cardsDir) : '';
  const cardFile = (r: DemoResident) => join(o.cardsDir!, `${r.id}.card`);

  if (created) {
    o.progress(`municipality: creating ${DEMO_MUNI.name} (${DEMO_MUNI.code}) with ${residents.length} residents`);
    for (const z of DEMO_ZONES) await addZone(o.db, z);
    for (const s of DEMO_SHELTERS) await addShelter(o.db, s);
    await seedResidents(
      o.db,
      residents.map(({ authPin: _p, signPassword: _s, ...r }) => r),
    );
    for (const s of DEMO_STAFF)
      await createStaff(o.db, {
        username: s.username,
        password: s.password,
        roles: [...s.roles],
        displayName: s.displayName,
      });
  }

  // the JMA area codes came later than the zones (issue 20): a demo database from before gets them too
  const jma = await o.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jma_areas');
  if (Number(jma.rows[0]!.n) === 0) await setJmaAreas(o.db, DEMO_JMA);

  const existingCards = o.cardsDir && residents.every((r) => existsSync(cardFile(r)));
  if (existingCards) {
    for (const r of residents) {
      const card = EmulatedCard.load(cardFile(r), key, { keepInSync: true });
      const status = o.authority.list().find((c) => c.label === cardLabel(r) && c.kind === 'sign' && !c.renewedTo);
      cards.push({
        residentId: r.id,
        label: cardLabel(r),
        card,
        authSerial: status?.pairSerial ?? '',
        signSerial: status?.serial ?? '',
      });
    }
  } else {
    o.progress(`authority: issuing ${residents.length} emulated My Number cards (two RSA-2048 keys each)`);
    for (const [i, r] of residents.entries()) {
      if (i > 0 && i % 10 === 0) o.progress(`authority: ${i} of ${residents.length} cards issued`);
      const issued = await o.authority.issueCard(
        {
          name: `${r.familyName}　${r.givenName}`,
          nameKana: `${r.familyKana}　${r.givenKana}`,
          address: r.address,
          birthDate: r.birthDate,
          sex: r.sex,
        },
        { authPin: r.authPin, signPassword: r.signPassword },
        { label: cardLabel(r) },
      );
      if (o.cardsDir) issued.card.save(cardFile(r), key, { keepInSync: true });
      cards.push({
        residentId: r.id,
        label: cardLabel(r),
        card: issued.card,
        authSerial: issued.authSerial,
        signSerial: issued.signSerial,
      });
    }
  }

  const out: DemoTvSeed[] = [];
  for (const t of tvs) {
    const credentials = await credentialsFor(o.credentials, { kind: 'tv', muni: DEMO_MUNI.code, device: t.id });
    const mine = residents.filter((r) => r.household === t.household && t.household !== '');
    out.push({
      id: t.id,
      zone: t.zone,
      residents: mine.map((r) => r.id),
      language: mine[0]?.language ?? 'ja',
      credentials,
    });
  }
  if (created) {
    await registerDevice(
      o.db,
      tvs.map((t) => ({
        id: t.id,
        zone: t.zone,
        household: t.household || undefined,
        brokerUsername: out.find((x) => x.id === t.id)!.credentials.username,
      })),
    );
    const bindings = out.flatMap((t) =>
      t.residents.map((rid) => {
        const c = cards.find((x) => x.residentId === rid)!;
        return { residentId: rid, deviceId: t.id, authSerial: c.authSerial, signSerial: c.signSerial };
      }),
    );
    await bindResidentToDevice(o.db, bindings);
  }
  return { created, cards, tvs: out, residents };
}
