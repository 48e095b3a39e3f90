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
  receipt: { receipt: { report: string; notice: string; insurer: string; policy: string; documentSha256: string; receivedAt: string }; keyId: string; signature: string };
}

export interface Disclosure { insurerId: string; insurerName: string; items: string[]; purpose: string; at: string }

export interface PostboxSession {
  readonly postboxId: string;
  notices(): Promise<{ unread: number; notices: Notice[] }>;
  open(id: string): Promise<Notice>;
  report(cms: Uint8Array): Promise<ReportReceipt>;
  disclosures(): Promise<Disclosure[]>;
  logout(): Promise<void>;
}

export interface PostboxApi {
  /** The bytes the card's authentication key must sign, and the id to answer with. */
  challenge(): Promise<{ id: string; challenge: Uint8Array }>;
  login(a: { id: string; signature: Uint8Array; certificate: Uint8Array }): Promise<PostboxSession>;
}

export function postboxApi(base: string | undefined, tv: { muni: string; device: string }): PostboxApi {
  const url = (p: string) => `${requireBase(base, 'postbox')}/postbox/v1${p}`;
  return {
    async challenge() {
      const c = await callJson<{ id: string; challenge: string }>(url('/login/challenge'), { method: 'POST', body: {} });
      return { id: c.id, challenge: fromBase64(c.challenge) };
    },
    async login(a) {
      const r = await callJson<{ token: string; postboxId: string }>(url('/login'), {
        body: { id: a.id, signature: toBase64(a.signature), certificate: toBase64(a.certificate), muni: tv.muni, device: tv.device },
      });
      const authorization = `Bearer ${r.token}`;
      return {
        postboxId: r.postboxId,
        notices: () => callJson(url('/notices'), { authorization }),
        open: (id) => callJson(url(`/notices/${encodeURIComponent(id)}`), { authorization }),
        report: (cms) => callJson(url('/reports'), { body: { cms: toBase64(cms) }, authorization, timeoutMs: 30_000 }),
        disclosures: async () => (await callJson<{ disclosures: Disclosure[] }>(url('/disclosures'), { authorization })).disclosures,
        logout: async () => { await callJson(url('/logout'), { method: 'POST', body: {}, authorization }).catch(() => undefined); },
      };
    },
  };
}
