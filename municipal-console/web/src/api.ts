/**
 * Calls to the console API with the session cookie. State-changing calls carry X-KZ-CSRF (the
 * server refuses cookie-authenticated writes without it). Errors keep the server's code and
 * message so the screen can say exactly which check failed.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();
/** Called when the server says the session has ended (expiry, logout elsewhere). */
export function onSessionExpired(l: Listener): () => void {
  expiredListeners.add(l);
  return () => expiredListeners.delete(l);
}

/**
 * Fresh authentication (issue 24): an action such as approving a real alert may answer
 * KZ_CONSOLE_REAUTH_REQUIRED. The app registers a prompt (a password dialog that calls
 * /api/session/reauth) and every call answered so is retried once after it, so no screen needs
 * to know which actions ask for it. Resolves false when the user cancels.
 */
let reauthPrompt: (() => Promise<boolean>) | null = null;
export function setReauthPrompt(p: (() => Promise<boolean>) | null): void {
  reauthPrompt = p;
}
const passwordChangeListeners = new Set<Listener>();
/** Called when the server says the password must be changed first (an administrator reset it). */
export function onPasswordChangeRequired(l: Listener): () => void {
  passwordChangeListeners.add(l);
  return () => passwordChangeListeners.delete(l);
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  text?: string;
  contentType?: string;
  raw?: boolean;
}

export async function call<T>(path: string, o: CallOptions = {}): Promise<T> {
  try {
    return await once<T>(path, o);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'KZ_CONSOLE_REAUTH_REQUIRED' || !reauthPrompt) throw e;
    if (!(await reauthPrompt())) throw e;
    return once<T>(path, o);
  }
}

async function once<T>(path: string, o: CallOptions): Promise<T> {
  const method = o.method ?? (o.body !== undefined || o.text !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-kz-csrf'] = '1';
  let body: string | undefined;
  if (o.text !== undefined) {
    body = o.text;
    headers['content-type'] = o.contentType ?? 'text/plain';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const e = type.includes('json')
      ? ((await res.json()) as { code?: string; message?: string; details?: Record<string, unknown>; field?: string })
      : { message: await res.text() };
    // A schema check names its field beside the code (core's KZ_VALIDATION: { field: 'body/expires' }).
    const details = e.details ?? ('field' in e && typeof e.field === 'string' ? { field: e.field } : undefined);
    const err = new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText, details);
    if (res.status === 401 && path !== '/api/session' && err.code === 'KZ_CONSOLE_SESSION_EXPIRED')
      for (const l of expiredListeners) l();
    if (err.code === 'KZ_CONSOLE_PASSWORD_CHANGE_REQUIRED') for (const l of passwordChangeListeners) l();
    throw err;
  }
  return (type.includes('json') && !o.raw ? res.json() : res.text()) as Promise<T>;
}

// Shapes of the replies this UI reads (the server's OpenAPI at /docs/json is the full contract).
export type Role = 'viewer' | 'issuer' | 'approver' | 'admin';
export interface Staff {
  username: string;
  roles: Role[];
  displayName: string | null;
  method?: 'password' | 'card';
  mustChangePassword?: boolean;
}
export interface Ack {
  evacuating: number;
  'safe-indoors': number;
  'need-help': number;
  total: number;
}
export interface Counts {
  targeted: number;
  delivered: number;
  upToDate: number;
  displayed: number;
  acknowledged: Ack;
  noAnswer: number;
  arrived: number;
  needsHelp: number;
  /** answered 「助けが必要」 and not yet at a shelter: the rescue list's need-help figure */
  needHelpOpen: number;
}
export interface ZoneCounts extends Counts {
  zoneId: string;
  zoneName: string;
}
export interface AlertStatus {
  alertId: string;
  revision: number;
  state: string;
  at: string;
  totals: Counts;
  zones: ZoneCounts[];
  sending?: { revision: number; tvs: number; sent: number };
}
export interface AlertView {
  id: string;
  identifier: string;
  status: 'Actual' | 'Exercise' | 'System' | 'Test' | 'Draft';
  state: 'draft' | 'pending-approval' | 'active' | 'lifted' | 'cancelled' | 'expired';
  revision: number;
  msgType: string;
  level: 3 | 4 | 5;
  hazard: string;
  expires: string;
  createdBy: string;
  createdAt: string;
  firstSent: string | null;
  lastSent: string | null;
  spec: Record<string, unknown> & {
    target?: { zones?: string[]; group?: string };
    template?: string;
    extra?: Record<string, string>;
    cap?: CapNotes;
  };
  pending: null | PendingRevision;
  /** An active alert's update or cancel stored but not sent yet (sent after its confirmation). */
  draft: null | PendingRevision;
  reach: { devices: number; residents: number; zones: number };
}
/** What staff are told about an imported CAP document (the server's spec.cap, alert-spec.ts). */
export interface CapNotes {
  /** 'level-unknown' (staff choose the level before sending), 'reaches-no-one'. */
  warnings?: string[];
  /** <info>s in languages TVs do not show: kept and exported, shown here as not shown on TVs. */
  notShown?: {
    language: string;
    event: string;
    headline?: string;
    description?: string;
    instruction?: string;
    areaDesc: string;
  }[];
}
/** A revision waiting for approval: what the approval page shows, and its digest that approve and reject send back. */
export interface PendingRevision {
  revision: number;
  msgType: 'Alert' | 'Update' | 'Cancel';
  /** On a Cancel: lifted (解除) or sent in error (取消). */
  end?: 'lifted' | 'sent-in-error';
  level: 3 | 4 | 5;
  hazard: string;
  createdBy: string;
  createdAt: string;
  expires: string;
  spec: AlertView['spec'] & { target?: { polygon?: unknown; circle?: unknown } };
  counts: { devices: number; residents: number; zones: number; unboundTvs: number } | null;
  digest: string;
}
export interface Zone {
  id: string;
  name: string;
  nameEn: string | null;
  polygon: number[][];
}
export interface Shelter {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  hazards: string[];
  welfare: boolean;
  open: boolean;
  occupancy?: number;
  /** of those present, how many need care (要配慮) */
  needsCare?: number;
  /** of those present, evacuees from outside the municipality (域外避難者) */
  outside?: number;
}
export interface PreviewKind {
  kind: string;
  description: string;
  deviceId?: string;
  topic: string;
  payload: Record<string, unknown> & { kind: string };
}
export interface Preview {
  alertId: string;
  revision: number;
  status: string;
  level: number;
  counts: { devices: number; residents: number; zones: number; unboundTvs: number };
  kinds: PreviewKind[];
}
export interface RescuePerson {
  residentId: string;
  name: string;
  reading: string;
  address: string;
  phone: string | null;
  supporter: string | null;
  zoneId: string;
  /** 地区 */
  zoneName: string;
  answer: string | null;
  answeredAt: string | null;
  /** Every answer, oldest first (the last is `answer`). */
  answers: { answer: string; at: string }[];
  sentAt: string;
  deliveredAt: string | null;
  displayedAt: string | null;
  /** How far the alert got to the person. */
  delivery: 'sent' | 'received' | 'on-screen' | 'answered';
  shelterId: string | null;
}
export interface ResidentSummary {
  id: string;
  name: string;
  zoneId: string;
  householdId: string | null;
  language: string;
  needsHelp: boolean;
  personalAlerts: boolean;
  devices: {
    deviceId: string;
    status: string;
    reason: string | null;
    reasonCode: string | null;
    endedBy: string | null;
    lifeEvent: string | null;
    boundAt: string;
    endedAt: string | null;
  }[];
}
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
export const can = (s: Staff, r: Role) => s.roles.includes(r) || s.roles.includes('admin');
