/**
 * The insurer gateway's post-box API for TVs (/postbox/v1, insurer-gateway/src/routes/postbox.ts):
 * card login by challenge–response, notices, signed reports, the disclosure log. Only the fields
 * the screens read are typed here; the gateway's OpenAPI page is the full contract.
 */
import { callJson, fromBase64, requireBase, toBase64 } from './http.ts';

export interface Notice {
  id: string;
  sender: { id: string; name: string };
  kind: 'info' | 'status-check';
  policy: string | null;
  subject: string;
  body?: string;
  dueDate: string | null;
  status: 'unread' | 'read' | 'answered' | 'withdrawn';
  createdAt: string;
  answeredAt: string | null;
  reportNonce?: string | null;
}

export interface ReportReceipt {
  reportId: string;
  late: boolean;
  receipt: {
    receipt: {
      report: string;
      notice: string;
      insurer: string;
      policy: string;
      documentSha256: string;
      receivedAt: string;
    };
    keyId: string;
    signature: string;
  };
}

export interface Disclosure {
  insurerId: string;
  insurerName: string;
  items: string[];
  /** Rendered in the resident's language; `purpose` is the gateway's English. */
  purposeCode: 'enrolment' | 'other';
  policy: string | null;
  purpose: string;
  at: string;
}

export interface Insurer {
  id: string;
  name: string;
}

export interface Enrolment {
  id: string;
  insurer: Insurer;
  policy: string;
  status: string;
  enrolledAt: string;
  endedAt: string | null;
}

export interface EnrolResult {
  enrolmentId: string;
  insurerId: string;
  policy: string;
}

/** A TV that gets "mail waiting" for this post-box; `linkedAt` is its latest card login (each login renews the link). */
export interface LinkedDevice {
  muni: string;
  device: string;
  linkedAt: string;
}

export interface PostboxSession {
  readonly postboxId: string;
  notices(): Promise<{ unread: number; notices: Notice[] }>;
  open(id: string): Promise<Notice>;
  report(cms: Uint8Array): Promise<ReportReceipt>;
  disclosures(): Promise<Disclosure[]>;
  /** Insurers a resident can enrol with (the gateway's public list). */
  insurers(): Promise<Insurer[]>;
  /** Policies linked to this post-box. */
  enrolments(): Promise<Enrolment[]>;
  /** A one-use nonce for the consent document (10 minutes, this post-box only). */
  consentNonce(): Promise<string>;
  /** Link a policy with a consent signed by the signing certificate. */
  enrol(cms: Uint8Array): Promise<EnrolResult>;
  /** The TVs linked to this post-box (they get "mail waiting"). */
  devices(): Promise<LinkedDevice[]>;
  /** Remove a TV: it no longer gets "mail waiting" (404 KZ_GW_UNKNOWN_DEVICE when it was not linked). */
  unlinkDevice(muni: string, device: string): Promise<void>;
  logout(): Promise<void>;
}

export interface PostboxApi {
  /** This TV, as it names itself at login (and so is linked to the post-box it opens). */
  readonly tv: { muni: string; device: string };
  /** The bytes the card's authentication key must sign, and the id to answer with. */
  challenge(): Promise<{ id: string; challenge: Uint8Array }>;
  login(a: { id: string; signature: Uint8Array; certificate: Uint8Array }): Promise<PostboxSession>;
}

export function postboxApi(base: string | undefined, tv: { muni: string; device: string }): PostboxApi {
  const url = (p: string) => `${requireBase(base, 'postbox')}/postbox/v1${p}`;
  return {
    tv: { muni: tv.muni, device: tv.device },
    async challenge() {
      const c = await callJson<{ id: string; challenge: string }>(url('/login/challenge'), {
        method: 'POST',
        body: {},
      });
      return { id: c.id, challenge: fromBase64(c.challenge) };
    },
    async login(a) {
      const r = await callJson<{ token: string; postboxId: string }>(url('/login'), {
        body: {
          id: a.id,
          signature: toBase64(a.signature),
          certificate: toBase64(a.certificate),
          muni: tv.muni,
          device: tv.device,
        },
      });
      const authorization = `Bearer ${r.token}`;
      return {
        postboxId: r.postboxId,
        notices: () => callJson(url('/notices'), { authorization }),
        open: (id) => callJson(url(`/notices/${encodeURIComponent(id)}`), { authorization }),
        report: (cms) => callJson(url('/reports'), { body: { cms: toBase64(cms) }, authorization, timeoutMs: 30_000 }),
        disclosures: async () =>
          (await callJson<{ disclosures: Disclosure[] }>(url('/disclosures'), { authorization })).disclosures,
        insurers: async () => (await callJson<{ insurers: Insurer[] }>(url('/insurers'))).insurers,
        enrolments: async () =>
          (await callJson<{ enrolments: Enrolment[] }>(url('/enrolments'), { authorization })).enrolments,
        consentNonce: async () =>
          (await callJson<{ nonce: string }>(url('/consent-nonce'), { method: 'POST', body: {}, authorization })).nonce,
        enrol: (cms) =>
          callJson(url('/enrolments'), { body: { cms: toBase64(cms) }, authorization, timeoutMs: 30_000 }),
        devices: async () => (await callJson<{ devices: LinkedDevice[] }>(url('/devices'), { authorization })).devices,
        unlinkDevice: async (muni, device) => {
          await callJson(url(`/devices/${encodeURIComponent(muni)}/${encodeURIComponent(device)}`), {
            method: 'DELETE',
            authorization,
          });
        },
        logout: async () => {
          await callJson(url('/logout'), { method: 'POST', body: {}, authorization }).catch(() => undefined);
        },
      };
    },
  };
}
