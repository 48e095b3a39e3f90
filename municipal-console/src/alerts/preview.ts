/**
 * The preview: exactly the payload each kind of recipient would get — one real example each of
 * a single resident, a household TV, someone who needs help, someone told only to get ready
 * (level 3), each language present, and a TV with nobody bound (the area message).
 */
import { topics, type AreaAlert, type PersonalAlert } from '@kizuna/contract';
import type { AlertService } from './alert-service.ts';

type Preview = Awaited<ReturnType<typeof preview>>;

export interface PreviewKind {
  kind: string;
  description: string;
  deviceId?: string;
  topic: string;
  payload: PersonalAlert | AreaAlert;
}

export async function preview(alerts: AlertService, id: string) {
  const m = await alerts.previewMessages(id);
  const kinds: PreviewKind[] = [];
  const entries = [...m.personal.entries()];
  const add = (kind: string, description: string, pred: (p: PersonalAlert) => boolean) => {
    const hit = entries.find(([, p]) => pred(p));
    if (hit)
      kinds.push({ kind, description, deviceId: hit[0], topic: topics.tvAlert(alerts.muni, hit[0]), payload: hit[1] });
  };
  const leaves = (r: PersonalAlert['recipients'][number]) =>
    m.recipients.find((x) => x.ref === r.ref)?.leaveNow ?? true;
  add(
    'resident',
    'a TV with one resident bound',
    (p) => p.recipients.length === 1 && !p.recipients[0]!.needsHelp && leaves(p.recipients[0]!),
  );
  add('household', 'a household TV: one message naming every resident bound to it', (p) => p.recipients.length > 1);
  add('needs-help', 'a resident who needs help to evacuate (避難行動要支援者)', (p) =>
    p.recipients.some((r) => r.needsHelp),
  );
  add('get-ready', 'level 3: a resident told to get ready (not elderly, no help needed)', (p) =>
    p.recipients.some((r) => !leaves(r)),
  );
  for (const lang of new Set(m.recipients.map((r) => r.language))) {
    add(lang, `a resident reading ${lang}`, (p) => p.recipients.some((r) => r.language === lang));
  }
  for (const a of m.areas) {
    kinds.push({
      kind: 'unbound-tv',
      description: `a TV in ${a.zone.name} with nobody bound (retained area message)`,
      topic: topics.areaAlert(alerts.muni, a.zone.id),
      payload: a,
    });
  }
  return {
    alertId: id,
    revision: m.head.revision,
    status: m.head.status,
    level: m.head.level,
    counts: {
      devices: m.personal.size,
      residents: m.recipients.length,
      zones: m.areas.length,
      unboundTvs: m.unboundTvs,
    },
    kinds,
  };
}

/**
 * The preview as a viewer gets it (viewers see counts, not people): the same kinds, counts and
 * wording, each resident's name and reading replaced by a placeholder and no TV named. Approvers
 * and issuers, who approve and send what residents see, get the real one.
 */
export function previewWithoutPeople(p: Preview): Preview {
  const unnamed = (r: PersonalAlert['recipients'][number]) => {
    const name = r.language.startsWith('ja') ? '（氏名）' : '(name)';
    const { reading: _reading, ...rest } = r;
    return { ...rest, displayName: name, headline: r.headline.split(r.displayName).join(name) };
  };
  return {
    ...p,
    kinds: p.kinds.map(({ deviceId: _device, ...k }) =>
      k.payload.kind === 'personal-alert'
        ? {
            ...k,
            topic: k.topic.replace(/\/tv\/[^/]+\/alert$/, '/tv/{device}/alert'),
            payload: { ...k.payload, recipients: k.payload.recipients.map(unnamed) },
          }
        : k,
    ),
  };
}
