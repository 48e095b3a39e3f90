/** The staff console: session, hash router and the frame around every view. */
import { render } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, can, onPasswordChangeRequired, onSessionExpired, type Staff } from './api.ts';
import { lang, onLang, setLang, t } from './i18n.ts';
import { Login } from './views/login.ts';
import { Dashboard } from './views/dashboard.ts';
import { Compose } from './views/compose.ts';
import { AlertDetail } from './views/alert.ts';
import { Rescue } from './views/rescue.ts';
import { CapImport } from './views/cap.ts';
import { Residents } from './views/residents.ts';
import { Shelters } from './views/shelters.ts';
import { Audit } from './views/audit.ts';
import { StaffAdmin } from './views/staff.ts';
import { Account } from './views/account.ts';
import { ReauthDialog } from './views/reauth.ts';

function useRoute(): string {
  const [h, setH] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const f = () => setH(location.hash.slice(1) || '/');
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return h;
}

function View({ route, staff }: { route: string; staff: Staff }) {
  const [path, query] = route.split('?');
  const parts = (path ?? '/').split('/').filter(Boolean);
  const qs = new URLSearchParams(query ?? '');
  if (parts[0] === 'compose') return html`<${Compose} staff=${staff} />`;
  if (parts[0] === 'alerts' && parts[1] && parts[2] === 'rescue')
    return html`<${Rescue} id=${parts[1]} staff=${staff} after=${qs.get('after')} />`;
  if (parts[0] === 'alerts' && parts[1]) return html`<${AlertDetail} id=${parts[1]} staff=${staff} />`;
  if (parts[0] === 'cap') return html`<${CapImport} />`;
  if (parts[0] === 'residents') return html`<${Residents} staff=${staff} />`;
  if (parts[0] === 'shelters') return html`<${Shelters} staff=${staff} />`;
  if (parts[0] === 'audit') return html`<${Audit} />`;
  if (parts[0] === 'staff' && can(staff, 'admin')) return html`<${StaffAdmin} />`;
  if (parts[0] === 'account') return html`<${Account} />`;
  return html`<${Dashboard} staff=${staff} />`;
}

function App() {
  const [staff, setStaff] = useState<Staff | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [, setL] = useState(lang());
  const route = useRoute();
  useEffect(() => onLang(() => setL(lang())), []);
  useEffect(() => {
    document.documentElement.lang = lang();
    call<Staff>('/api/session').then(setStaff, () => setStaff(null));
  }, []);
  useEffect(
    () =>
      onSessionExpired(() => {
        setStaff(null);
        setExpired(true);
      }),
    [],
  );
  useEffect(() => onPasswordChangeRequired(() => setStaff((s) => (s ? { ...s, mustChangePassword: true } : s))), []);
  useEffect(() => {
    document.title = t('appTitle');
  });

  if (staff === undefined) return html`<p class="loading">${t('loading')}</p>`;
  const langButton = html`<button type="button" class="lang" aria-label=${t('langLabel')} onClick=${() => setLang(lang() === 'ja' ? 'en' : 'ja')}>${t('lang')}</button>`;
  if (staff === null)
    return html`<${Login} expired=${expired} langButton=${langButton} onIn=${(s: Staff) => {
      setExpired(false);
      setStaff(s);
    }} />`;

  const nav: [string, string, boolean][] = [
    ['#/', t('navDashboard'), true],
    ['#/compose', t('navCompose'), can(staff, 'issuer')],
    ['#/cap', t('navCap'), can(staff, 'issuer')],
    ['#/residents', t('navResidents'), true],
    ['#/shelters', t('navShelters'), true],
    ['#/audit', t('navAudit'), can(staff, 'admin')],
    ['#/staff', t('navStaff'), can(staff, 'admin')],
    ['#/account', t('navAccount'), true],
  ];
  const here = `#${route.split('?')[0]}`;
  const current = (href: string) => (href === '#/' ? here === '#/' : here.startsWith(href));
  return html`
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>${t('skip')}</a>
    <header class="top">
      <h1>${t('appTitle')}</h1>
      <nav aria-label="main"><ul>${nav.filter((n) => n[2]).map(([href, label]) => html`<li><a href=${href} aria-current=${current(href) ? 'page' : undefined}>${label}</a></li>`)}</ul></nav>
      <div class="who"><span data-staff=${staff.username}>${staff.displayName ?? staff.username}</span>
        ${staff.method ? html`<span class="via" data-login-method=${staff.method} title=${t('loginMethod')}>${t(staff.method === 'card' ? 'viaCard' : 'viaPassword')}</span>` : null} ${langButton}
        <button type="button" onClick=${async () => {
          await call('/api/session', { method: 'DELETE' }).catch(() => undefined);
          setStaff(null);
        }}>${t('logout')}</button></div>
    </header>
    <main id="main" tabIndex=${-1}>${
      staff.mustChangePassword
        ? html`<${Account} mustChange=${true} onChanged=${() => setStaff({ ...staff, mustChangePassword: false })} />`
        : html`<${View} route=${route} staff=${staff} />`
    }</main>
    <${ReauthDialog} />`;
}

render(html`<${App} />`, document.getElementById('app')!);
