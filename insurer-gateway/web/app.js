// The insurer's page: signs each API call with the insurer's key in the browser (WebCrypto HMAC,
// the same scheme as request-signing.ts) and shows reports, notices and events. No framework.
const enc = new TextEncoder();
const b64url = (buf) =>
  btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function signedFetch(key, method, path) {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(12)));
  const digest = hex(await crypto.subtle.digest('SHA-256', enc.encode('')));
  const k = await crypto.subtle.importKey('raw', enc.encode(key.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const sig = b64url(await crypto.subtle.sign('HMAC', k, enc.encode(`${method}\n${path}\n${ts}\n${nonce}\n${digest}`)));
  const res = await fetch(path, {
    method,
    headers: { authorization: `KZ-HMAC-SHA256 keyId=${key.keyId}, ts=${ts}, nonce=${nonce}, sig=${sig}` },
  });
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(`${body.code}: ${body.message}`), { body });
  return body;
}

const fmt = (iso) => (iso ? new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }) : '—');
const STATUS = { unread: '未読 unread', read: '既読 read', answered: '回答済 answered', withdrawn: '取下げ withdrawn' };
const ANSWER = { living: '生存・変更なし living', 'living-details-changed': '生存・変更あり living, details changed' };
const EVENT = {
  'policyholder.enrolled': '登録 enrolled',
  'policyholder.ended': '登録終了 ended',
  'notice.read': '開封 read',
  'report.received': '現況届 report',
  'certificate.revoked': '証明書失効 certificate revoked',
};

function row(tbody, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (typeof c === 'object' && c !== null) {
      td.textContent = c.text;
      if (c.cls) td.className = c.cls;
    } else td.textContent = c ?? '—';
    tr.append(td);
  }
  tbody.append(tr);
}

async function show(key) {
  const me = await signedFetch(key, 'GET', '/insurer/v1/me');
  document.querySelector('#who').textContent =
    `${me.name}（${me.id}）${me.status === 'suspended' ? ' — 停止中 suspended' : ''}`;
  const [{ reports }, { notices }, { events }] = await Promise.all([
    signedFetch(key, 'GET', '/insurer/v1/reports'),
    signedFetch(key, 'GET', '/insurer/v1/notices'),
    signedFetch(key, 'GET', '/insurer/v1/events?limit=200'),
  ]);
  const rt = document.querySelector('#reports tbody');
  rt.replaceChildren();
  for (const r of reports) {
    const ok = r.verification.result === 'valid';
    row(rt, [
      fmt(r.receivedAt),
      { text: r.id, cls: 'mono' },
      { text: r.code, cls: 'mono' },
      r.policy,
      ANSWER[r.statement.answer] ?? r.statement.answer,
      {
        text: ok ? `✔ 有効 valid (${r.verification.reason})` : `✘ ${r.verification.result} (${r.verification.reason})`,
        cls: ok ? 'ok' : 'bad',
      },
      { text: r.verification.signerSerial, cls: 'mono' },
    ]);
  }
  if (!reports.length) row(rt, [{ text: 'まだありません (none yet)', cls: 'muted' }, '', '', '', '', '', '']);
  const nt = document.querySelector('#notices tbody');
  nt.replaceChildren();
  for (const n of notices) {
    row(nt, [
      fmt(n.createdAt),
      n.subject,
      n.kind === 'status-check' ? '現況確認 status check' : 'お知らせ info',
      STATUS[n.status] ?? n.status,
      n.dueDate ?? '—',
      n.policy ?? '—',
    ]);
  }
  const et = document.querySelector('#events tbody');
  et.replaceChildren();
  for (const e of [...events].reverse()) {
    const d = e.data;
    const detail =
      e.type === 'certificate.revoked'
        ? `理由 reason: ${d.reason} (${fmt(d.revokedAt)})`
        : e.type === 'report.received'
          ? `${d.policy}: ${ANSWER[d.answer] ?? d.answer}`
          : e.type === 'notice.read'
            ? `${d.policy ?? ''} ${fmt(d.readAt)}`
            : (d.policy ?? '');
    row(et, [
      fmt(e.createdAt),
      { text: EVENT[e.type] ?? e.type, cls: e.type === 'certificate.revoked' ? 'bad' : '' },
      { text: d.code ?? '', cls: 'mono' },
      detail,
    ]);
  }
  document.querySelector('#main').hidden = false;
  document.querySelector('#updated').textContent = `最終更新 Updated ${fmt(new Date().toISOString())}`;
  document.querySelector('#stale').textContent = '';
}

// The page refreshes itself (every 15 s; `?refresh=N` seconds, at least 1). A failed refresh keeps
// the last data on screen and says so, rather than blanking the tables.
const refreshSeconds = Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 15);
let refreshTimer;
function keepFresh(key) {
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => {
    show(key).catch((e) => {
      document.querySelector('#stale').textContent = `更新できませんでした Could not refresh: ${e.message}`;
    });
  }, refreshSeconds * 1000);
}

document.querySelector('#login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const key = {
    keyId: document.querySelector('#keyId').value.trim(),
    secret: document.querySelector('#secret').value.trim(),
  };
  document.querySelector('#error').textContent = '';
  try {
    await show(key);
    sessionStorage.setItem('kz-insurer-key', JSON.stringify(key));
    keepFresh(key);
  } catch (e) {
    clearInterval(refreshTimer);
    document.querySelector('#main').hidden = true;
    document.querySelector('#error').textContent = e.message;
  }
});
const saved = sessionStorage.getItem('kz-insurer-key');
if (saved)
  show(JSON.parse(saved))
    .then(() => keepFresh(JSON.parse(saved)))
    .catch(() => sessionStorage.removeItem('kz-insurer-key'));
