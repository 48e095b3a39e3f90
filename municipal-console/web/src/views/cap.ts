/** CAP 1.2 import into a draft (the server names the failing CAP field). */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, type AlertView } from '../api.ts';
import { ErrorBox } from '../components.ts';
import { t } from '../i18n.ts';

export function CapImport() {
  const [xml, setXml] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const a = await call<AlertView>('/api/alerts/cap?draft=true', { text: xml, contentType: 'application/cap+xml' });
      location.hash = `#/alerts/${a.id}`;
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="cap" onSubmit=${submit}>
    <h2>${t('capTitle')}</h2><p class="hint">${t('capHint')}</p>
    <label>${t('capFile')}<input type="file" accept=".xml,.cap,application/xml" onChange=${async (e: Event) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) setXml(await f.text());
    }} /></label>
    <label>CAP XML<textarea name="cap" rows="16" spellcheck=${false} value=${xml} onInput=${(e: Event) => setXml((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <${ErrorBox} error=${error} />
    <button type="submit" class="primary" disabled=${!xml.trim()}>${t('capImport')}</button>
  </form>`;
}
