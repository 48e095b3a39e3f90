// The shelter kiosk: one page, screens drawn into <main>. Every action goes to the terminal
// service on this laptop, which records it locally first; the page works the same offline.
import { STRINGS } from './i18n.js';
import { createCardReader } from './card-reader.js';

let lang = localStorage.getItem('kz-lang') === 'en' ? 'en' : 'ja';
let status = null;
let reader = null;
let homeTimer = null;
const t = (key, ...args) => {
  const v = STRINGS[lang][key];
  return typeof v === 'function' ? v(...args) : (v ?? key);
};
const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) e.append(c.nodeType ? c : String(c));
  return e;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(json.message ?? res.statusText), {
      code: json.code,
      details: json.details,
      status: res.status,
    });
  return json;
}

function show(...nodes) {
  clearTimeout(homeTimer);
  const main = $('#screen');
  main.replaceChildren(...nodes);
  const first = main.querySelector('[autofocus]') ?? main.querySelector('input, button');
  first?.focus();
}

function applyStatic() {
  document.documentElement.lang = lang;
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  $('#lang').textContent = lang === 'ja' ? 'English' : '日本語';
}

// ---- status bar and occupancy ----
function drawStatus() {
  if (!status) return;
  $('#shelter-name').textContent = status.shelterName ?? status.shelter;
  $('#terminal-id').textContent = status.terminal;
  const o = status.occupancy;
  $('#occ-present').textContent = String(o.present);
  $('#occ-capacity').textContent = o.capacity === null ? '' : t('capacityOf', o.capacity);
  $('#occ-care').textContent = String(o.needsCare);
  const meter = $('#occ-meter');
  meter.style.width = o.capacity ? `${Math.min(100, (100 * o.present) / Math.max(1, o.capacity))}%` : '0';
  const box = $('#occupancy');
  box.dataset.level = o.level;
  const warn = $('#occ-warning');
  warn.hidden = o.level === 'ok';
  warn.textContent =
    o.level === 'full'
      ? t('warnFull', o.present, o.capacity)
      : o.level === 'warn'
        ? t('warnNear', o.present, o.capacity)
        : '';
  const l = status.link;
  const link = $('#link');
  link.dataset.state = !l.configured ? 'offline' : l.connected ? 'online' : 'offline';
  link.textContent = [
    l.connected ? t('online') : t('offline'),
    l.backlog ? t('unsent', l.backlog) : null,
    status.roster.version ? null : t('noRoster'),
  ]
    .filter(Boolean)
    .join(' · ');
}

async function refreshStatus() {
  try {
    status = await api('GET', '/api/status');
    drawStatus();
  } catch {
    /* the service itself is on this laptop; retry */
  }
}

// ---- screens ----
function home() {
  show($('#t-home').content.cloneNode(true));
  applyStatic();
  $('#screen [data-action=manual]').addEventListener('click', () => manualForm());
  $('#screen [data-action=present]').addEventListener('click', () => presentList());
  drawReader();
}

// ---- card reader ----
/** The header's reader state, and on the waiting screen the cards the bridge can reach. */
function drawReader() {
  const state = reader?.state ?? 'none';
  const badge = $('#reader');
  badge.hidden = state === 'none';
  badge.dataset.state = state;
  badge.textContent = t(`reader_${state}`);
  const panel = $('#screen .reader-panel');
  if (!panel) return;
  panel.dataset.state = state;
  if (state === 'none') return panel.replaceChildren();
  if (state !== 'ready') {
    return panel.replaceChildren(
      el(
        'p',
        { class: 'reader-note', role: 'status' },
        state === 'offline' ? t('readerOfflineHint') : t('reader_connecting'),
      ),
    );
  }
  if (!reader.cards.length)
    return panel.replaceChildren(el('p', { class: 'reader-note', role: 'status' }, t('readerNoCard')));
  const prev = panel.querySelector('select')?.value;
  const select = el(
    'select',
    { id: 'reader-card', name: 'card' },
    ...reader.cards.map((c) => el('option', { value: c.id, selected: c.id === prev }, c.label)),
  );
  const hold = el(
    'button',
    { type: 'button', class: 'big', 'data-action': 'hold-card', onclick: () => holdCard(select.value) },
    t('holdThisCard'),
  );
  const keepFocus = panel.contains(document.activeElement)
    ? document.activeElement.id || document.activeElement.dataset.action
    : null;
  panel.replaceChildren(
    el('label', { for: 'reader-card' }, t('cardOnReader')),
    el('div', { class: 'reader-row' }, select, hold),
  );
  if (keepFocus) (panel.querySelector(`#${keepFocus}`) ?? panel.querySelector(`[data-action=${keepFocus}]`))?.focus();
}

/** Staff hold a card over the reader: read its authentication certificate through the bridge, then tap it in. */
async function holdCard(cardId) {
  if (!cardId) return;
  show(el('div', { class: 'panel center', 'data-screen': 'reading' }, el('h1', {}, t('reading'))));
  let certificate;
  try {
    certificate = await reader.read(cardId);
  } catch (e) {
    return cardProblem('KZ_SHELTER_CARD_UNREADABLE', e.code);
  }
  return cardRead(certificate);
}

function backHomeLater(ms) {
  clearTimeout(homeTimer);
  homeTimer = setTimeout(home, ms);
}

function needsBadges(p) {
  return el(
    'span',
    { class: 'needs' },
    ...(p.needs ?? []).map((n) => el('span', { class: 'badge' }, STRINGS[lang].needs[n] ?? n)),
    p.needsCare && !(p.needs ?? []).length ? el('span', { class: 'badge' }, t('needsCare')) : null,
  );
}

/** A card was read: the service verifies it (revocation included) and finds who it is. */
async function cardRead(certificateB64) {
  let r;
  try {
    r = await api('POST', '/api/taps', { certificate: certificateB64 });
  } catch (e) {
    return cardProblem(e.code);
  }
  if (r.status === 'roster') return confirmPerson(r);
  return unknownCard(r);
}

function cardProblem(code, readerCode) {
  const kind =
    code === 'KZ_SHELTER_CARD_REVOKED'
      ? 'revoked'
      : code === 'KZ_SHELTER_CARD_STATUS_UNKNOWN'
        ? 'statusUnknown'
        : code === 'KZ_SHELTER_CARD_INVALID'
          ? 'invalid'
          : 'unreadable';
  const hint = {
    revoked: t('revokedHint'),
    statusUnknown: t('statusUnknownHint'),
    invalid: t('revokedHint'),
    unreadable: t('unreadableHint'),
  }[kind];
  show(
    el(
      'div',
      { class: `panel alert ${kind}`, 'data-screen': `card-${kind}` },
      el('h1', {}, t(`${kind}Title`)),
      el('p', { class: 'lead' }, hint),
      code ? el('p', { class: 'code' }, readerCode ? `${code} (${readerCode})` : code) : null,
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'big', autofocus: true, onclick: () => manualForm() }, t('manualByHand')),
        el('button', { type: 'button', class: 'big secondary', onclick: home }, t('tryAgain')),
      ),
    ),
  );
}

function confirmPerson(r) {
  const chosen = new Set(r.person.present ? [] : [r.person.rosterKey]);
  const button = el('button', { type: 'button', class: 'big', autofocus: true, 'data-action': 'check-in' });
  const refresh = () => {
    button.textContent = t('checkInN', chosen.size);
    button.disabled = chosen.size === 0;
  };
  const member = (p, main) => {
    const box = el('input', {
      type: 'checkbox',
      checked: !p.present && main,
      disabled: p.present,
      'data-key': p.rosterKey,
      onchange: (ev) => {
        if (ev.target.checked) chosen.add(p.rosterKey);
        else chosen.delete(p.rosterKey);
        refresh();
      },
    });
    return el(
      'label',
      { class: `person${main ? ' main' : ''}${p.present ? ' done' : ''}` },
      box,
      el('span', { class: 'name' }, p.displayName, lang === 'ja' ? ' さん' : ''),
      p.reading ? el('span', { class: 'reading' }, p.reading) : null,
      needsBadges(p),
      p.present ? el('span', { class: 'badge in' }, t('alreadyIn')) : null,
    );
  };
  button.addEventListener('click', () =>
    doCheckIn(
      { tap: r.tap, rosterKeys: [...chosen] },
      [r.person, ...r.household].filter((p) => chosen.has(p.rosterKey)).map((p) => p.displayName),
    ),
  );
  show(
    el(
      'div',
      { class: 'panel', 'data-screen': 'confirm' },
      el('h2', {}, t('confirmTitle')),
      member(r.person, true),
      r.household.length ? el('h3', {}, t('householdTitle')) : null,
      ...r.household.map((p) => member(p, false)),
      el(
        'div',
        { class: 'actions' },
        button,
        el('button', { type: 'button', class: 'big secondary', onclick: home }, t('cancel')),
      ),
    ),
  );
  refresh();
}

function personForm({ title, hint, requireName, screen, submit }) {
  const name = el('input', {
    id: 'f-name',
    name: 'name',
    maxlength: '100',
    placeholder: t('namePlaceholder'),
    autocomplete: 'off',
    autofocus: true,
  });
  const household = el('input', { id: 'f-household', name: 'household', maxlength: '100', autocomplete: 'off' });
  const care = el('input', { id: 'f-care', type: 'checkbox', name: 'needsCare' });
  const age = ['child', 'adult', 'senior'].map((a) =>
    el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'age', value: a }), t(a)),
  );
  const msg = el('p', { class: 'form-error', role: 'alert' });
  name.addEventListener('input', () => {
    msg.textContent = '';
  });
  const form = el(
    'form',
    { class: 'panel form', 'data-screen': screen, novalidate: true },
    el('h2', {}, title),
    hint ? el('p', { class: 'lead' }, hint) : null,
    el('label', { for: 'f-name' }, t('name')),
    name,
    el('fieldset', {}, el('legend', {}, t('ageGroup')), ...age),
    el('label', { for: 'f-household' }, t('household')),
    household,
    el('label', { class: 'choice' }, care, t('needsCareLabel')),
    msg,
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'big', 'data-action': 'check-in' }, t('checkIn')),
      el('button', { type: 'button', class: 'big secondary', onclick: home }, t('cancel')),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    if (requireName && !n) {
      msg.textContent = t('nameRequired');
      name.focus();
      return;
    }
    const ageGroup = form.querySelector('input[name=age]:checked')?.value;
    const manual = n
      ? {
          name: n,
          ...(ageGroup ? { ageGroup } : {}),
          ...(household.value.trim() ? { household: household.value.trim() } : {}),
          needsCare: care.checked,
        }
      : undefined;
    submit(manual, n);
  });
  show(form);
}

function manualForm() {
  personForm({
    title: t('manualTitle'),
    requireName: true,
    screen: 'manual',
    submit: (manual, n) => doCheckIn({ manual }, [n]),
  });
}

function unknownCard(r) {
  if (r.present) {
    show(
      el(
        'div',
        { class: 'panel alert', 'data-screen': 'card-already' },
        el('h1', {}, t('unknownAlready')),
        el(
          'div',
          { class: 'actions' },
          el('button', { type: 'button', class: 'big', autofocus: true, onclick: home }, t('back')),
        ),
      ),
    );
    return backHomeLater(8000);
  }
  // the roster holds every resident: a valid card not on it is from outside the municipality
  personForm({
    title: t(r.outside ? 'outsideTitle' : 'unknownTitle'),
    hint: t(r.outside ? 'outsideHint' : 'unknownHint'),
    requireName: false,
    screen: r.outside ? 'outside-card' : 'unknown-card',
    submit: (manual, n) =>
      doCheckIn({ tap: r.tap, ...(manual ? { manual } : {}) }, [
        n || `${t(r.outside ? 'outsideCard' : 'unknownCard')} …${r.serialHint}`,
      ]),
  });
}

async function doCheckIn(body, names) {
  try {
    const r = await api('POST', '/api/check-ins', body);
    await refreshStatus();
    done(r, names);
  } catch (e) {
    if (e.code === 'KZ_SHELTER_FULL') return full(body, names, e.details);
    if (e.code === 'KZ_SHELTER_ALREADY_CHECKED_IN') return message('alreadyTitle', 'already');
    if (e.code === 'KZ_SHELTER_TAP_EXPIRED') return message('tapExpired', 'tap-expired');
    message('error', 'error', `${e.code ?? ''} ${e.message}`);
  }
}

function full(body, names, d) {
  show(
    el(
      'div',
      { class: 'panel alert full', 'data-screen': 'full' },
      el('h1', {}, t('fullTitle')),
      el('p', { class: 'lead' }, t('fullHint', d?.present ?? '?', d?.capacity ?? '?')),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'big secondary', autofocus: true, onclick: home }, t('cancel')),
        el(
          'button',
          {
            type: 'button',
            class: 'big warn',
            'data-action': 'override',
            onclick: () => doCheckIn({ ...body, override: true }, names),
          },
          t('checkInAnyway'),
        ),
      ),
    ),
  );
}

function message(titleKey, screen, detail) {
  show(
    el(
      'div',
      { class: 'panel alert', 'data-screen': screen },
      el('h1', {}, t(titleKey)),
      detail ? el('p', { class: 'code' }, detail) : null,
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'big', autofocus: true, onclick: home }, t('home')),
      ),
    ),
  );
  backHomeLater(10_000);
}

function done(r, names) {
  const ids = r.events.map((e) => e.eventId);
  const undo = el(
    'button',
    {
      type: 'button',
      class: 'big secondary',
      'data-action': 'undo',
      onclick: async () => {
        try {
          await api('POST', '/api/undo', { eventIds: ids });
          await refreshStatus();
          message('undone', 'undone');
        } catch (e) {
          message('error', 'error', `${e.code ?? ''} ${e.message}`);
        }
      },
    },
    t('undo'),
  );
  show(
    el(
      'div',
      { class: 'panel done', 'data-screen': 'done' },
      el('div', { class: 'tick', 'aria-hidden': 'true' }, '✓'),
      el('h1', {}, t('doneTitle')),
      el('ul', { class: 'names' }, ...names.map((n) => el('li', {}, n))),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'big', autofocus: true, onclick: home }, t('home')),
        undo,
      ),
    ),
  );
  backHomeLater(15_000);
}

async function presentList() {
  const { people } = await api('GET', '/api/present');
  const row = (p) => {
    const label = p.displayName ?? `${t(p.outside ? 'outsideCard' : 'unknownCard')} …${p.personKey.slice(-4)}`;
    const since = new Date(p.since).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
    });
    return el(
      'li',
      { class: 'person-row', 'data-key': p.personKey },
      el('span', { class: 'name' }, label),
      p.needsCare ? el('span', { class: 'badge' }, t('needsCare')) : null,
      p.outside ? el('span', { class: 'badge outside' }, t('outsideCard')) : null,
      el('span', { class: 'since' }, `${t('since')} ${since}`),
      el(
        'button',
        { type: 'button', class: 'small', 'data-action': 'check-out', onclick: () => leave([p.personKey], undefined) },
        t('checkOut'),
      ),
      el(
        'button',
        { type: 'button', class: 'small secondary', 'data-action': 'transfer', onclick: () => transferForm(p, label) },
        t('transfer'),
      ),
    );
  };
  show(
    el(
      'div',
      { class: 'panel', 'data-screen': 'present' },
      el('h2', {}, t('presentTitle')),
      people.length ? el('ul', { class: 'present-list' }, ...people.map(row)) : el('p', { class: 'lead' }, t('nobody')),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'big secondary', autofocus: true, onclick: home }, t('back')),
      ),
    ),
  );
}

function transferForm(p, label) {
  const to = el('input', {
    id: 'f-to',
    name: 'toShelter',
    maxlength: '64',
    pattern: '[A-Za-z0-9_-]+',
    autocomplete: 'off',
    autofocus: true,
  });
  const form = el(
    'form',
    { class: 'panel form', 'data-screen': 'transfer' },
    el('h2', {}, t('transfer')),
    el('p', { class: 'lead' }, label),
    el('label', { for: 'f-to' }, t('toShelter')),
    to,
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'big' }, t('transfer')),
      el('button', { type: 'button', class: 'big secondary', onclick: presentList }, t('back')),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (to.value.trim()) leave([p.personKey], to.value.trim());
  });
  show(form);
}

async function leave(personKeys, toShelter) {
  try {
    const r = await api('POST', '/api/check-outs', { personKeys, ...(toShelter ? { toShelter } : {}) });
    await refreshStatus();
    const ids = r.events.map((e) => e.eventId);
    show(
      el(
        'div',
        { class: 'panel done', 'data-screen': 'left' },
        el('h1', {}, t(toShelter ? 'transferred' : 'checkedOut')),
        el(
          'div',
          { class: 'actions' },
          el('button', { type: 'button', class: 'big', autofocus: true, onclick: presentList }, t('back')),
          el(
            'button',
            {
              type: 'button',
              class: 'big secondary',
              'data-action': 'undo',
              onclick: async () => {
                await api('POST', '/api/undo', { eventIds: ids });
                await refreshStatus();
                presentList();
              },
            },
            t('undo'),
          ),
        ),
      ),
    );
  } catch (e) {
    message('error', 'error', `${e.code ?? ''} ${e.message}`);
  }
}

// ---- start ----
$('#lang').addEventListener('click', () => {
  lang = lang === 'ja' ? 'en' : 'ja';
  localStorage.setItem('kz-lang', lang);
  applyStatic();
  drawStatus();
  home();
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') home();
});

applyStatic();
home();
await refreshStatus();
reader = createCardReader(status?.cardReader?.bridgeUrl ?? null, drawReader);
drawReader();
setInterval(refreshStatus, 2000);
document.body.dataset.ready = 'true';
