/**
 * An alert as a CAP 1.2 document (the import and the format's notes: cap-import.ts). A revision an
 * imported document made is given back as it came (cap-document.ts): its identity, <sent> and
 * content. A revision Kizuna made is Kizuna's message: its own identifier under the municipality's
 * sender, with <references> to the message before it.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { LANGUAGES, type Language } from '@kizuna/contract';
import type { AlertView, RevisionView } from './alert-views.ts';
import type { Zone } from '../register/zones.ts';
import { PACKS, render } from './templates.ts';
import { CAP_NS } from './cap-import.ts';
import { writeCapDocument } from './cap-document.ts';

/** CAP dateTime in Japan time (CAP forbids "Z"). */
export function toCapTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 9 * 3600_000);
  return `${d.toISOString().slice(0, 19)}+09:00`;
}

/** A CAP message's identity: what a <references> triple names. */
export interface CapIdentity {
  sender: string;
  identifier: string;
  /** As written in the message. */
  sent: string;
}

/**
 * The identity revision `rev` of alert `a` is exported under: the document's own if an imported
 * document made it (not a Cancel, which Kizuna writes), else Kizuna's (the municipality's sender
 * `ownSender`; the alert's identifier for the first revision of Kizuna's own alert, else
 * "<identifier>-r<n>"; the time it was published).
 */
export function capIdentity(a: AlertView, rev: RevisionView, ownSender: string): CapIdentity {
  const doc = rev.spec.cap?.document;
  if (doc && rev.msgType !== 'Cancel') return { sender: doc.sender, identifier: doc.identifier, sent: doc.sent };
  const own = a.sender === ownSender && rev.revision <= 1;
  return {
    sender: ownSender,
    identifier: own ? a.identifier : `${a.identifier}-r${rev.revision}`,
    sent: toCapTime(rev.publishedAt ?? rev.createdAt),
  };
}

const CAP_LANG: Record<Language, string> = {
  ja: 'ja-JP',
  'ja-x-easy': 'ja-JP-x-easy',
  en: 'en-US',
  zh: 'zh-CN',
  ko: 'ko-KR',
  vi: 'vi-VN',
  pt: 'pt-BR',
};

/**
 * The alert's latest published revision (or its pending one if never published) as a CAP 1.2
 * document: as imported, or Kizuna's with one <info> per language. `previous`: the identity of the
 * revision published before it, which <references> names.
 */
export function toCap(
  a: AlertView,
  rev: RevisionView,
  zones: Zone[],
  ownSender: string,
  previous?: CapIdentity,
): string {
  const spec = rev.spec;
  const { sender, identifier, sent } = capIdentity(a, rev, ownSender);
  if (spec.cap?.document && rev.msgType !== 'Cancel') return writeCapDocument(spec.cap.document);
  const targetZones = zones.filter((z) => spec.target.zones?.includes(z.id));
  const area = {
    areaDesc: spec.cap?.areaDesc ?? (targetZones.map((z) => z.name).join('、') || 'target area'),
    ...(spec.target.polygon ? { polygon: spec.target.polygon.map(([lon, lat]) => `${lat},${lon}`).join(' ') } : {}),
    ...(spec.target.circle
      ? { circle: `${spec.target.circle.lat},${spec.target.circle.lon} ${spec.target.circle.radiusM / 1000}` }
      : {}),
    ...(targetZones.length ? { geocode: targetZones.map((z) => ({ valueName: 'kizuna:zone', value: z.id })) } : {}),
  };
  // Lifting and cancelling (docs/PROTOCOL.md, "Lifting and cancelling"): both end the alert, but a
  // lifting (解除) is an Update that the danger is over (AllClear, as Lアラート's 発令・解除区分 解除),
  // and a cancel (取消) is CAP's Cancel with a note that it was sent in error.
  const lifted = rev.msgType === 'Cancel' && rev.end === 'lifted';
  const ended = rev.msgType === 'Cancel';
  const capMsgType = lifted ? 'Update' : rev.msgType;
  const notes = [
    ...(a.status !== 'Actual' ? [a.status === 'Exercise' ? '訓練 / exercise' : 'テスト / test'] : []),
    ...(ended && !lifted ? ['誤って送信されたため取り消します / cancelled: sent in error'] : []),
  ];
  const urgency = rev.level === 5 ? 'Immediate' : 'Expected';
  const severity = rev.level === 5 ? 'Extreme' : rev.level === 4 ? 'Severe' : 'Moderate';
  const category = spec.cap?.category?.length
    ? spec.cap.category
    : [
        rev.hazard === 'fire'
          ? 'Fire'
          : ['earthquake', 'landslide', 'volcano', 'tsunami'].includes(rev.hazard)
            ? 'Geo'
            : 'Met',
      ];
  const info = LANGUAGES.map((lang) => {
    const zoneName =
      targetZones.map((z) => (lang.startsWith('ja') || lang === 'zh' ? z.name : (z.nameEn ?? z.name))).join(', ') ||
      area.areaDesc;
    const t = render({
      language: lang,
      level: rev.level,
      hazard: rev.hazard,
      status: a.status,
      msgType: rev.msgType,
      end: rev.end,
      advice: rev.level === 5 ? 'secure-safety' : rev.level === 3 ? 'get-ready' : 'leave-now',
      who: { zone: zoneName },
      extra: spec.extra?.[lang],
    });
    return {
      language: CAP_LANG[lang],
      category,
      event: spec.cap?.event && lang === 'ja' ? spec.cap.event : PACKS[lang].hazard[rev.hazard],
      responseType: lifted
        ? 'AllClear'
        : ended
          ? 'None'
          : rev.level === 5
            ? 'Shelter'
            : rev.level === 3
              ? 'Prepare'
              : 'Evacuate',
      urgency: ended ? 'Past' : urgency,
      severity: ended ? 'Minor' : severity,
      certainty: spec.cap?.certainty ?? 'Likely',
      eventCode: [{ valueName: 'kizuna:hazard', value: rev.hazard }],
      expires: toCapTime(rev.expires),
      senderName: spec.cap?.senderName ?? a.sender,
      headline: t.headline,
      ...(spec.cap?.description && lang === 'ja' ? { description: spec.cap.description } : {}),
      instruction: t.instruction,
      parameter: [
        { valueName: 'EvacuationLevel', value: String(rev.level) },
        ...(lifted ? [{ valueName: '発令・解除区分', value: '解除' }] : []),
      ],
      area,
    };
  });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    alert: {
      '@_xmlns': CAP_NS,
      identifier,
      sender,
      sent,
      status: a.status,
      msgType: capMsgType,
      scope: 'Public',
      ...(previous ? { references: `${previous.sender},${previous.identifier},${previous.sent}` } : {}),
      ...(notes.length ? { note: notes.join('; ') } : {}),
      info,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true }).build(doc) as string;
}
