import { ja } from './dictionary.ts';
import { REGISTER_FIELDS } from './register-words.ts';
import { pick, type Words } from './ui-lang.ts';

/** Request fields as the forms call them (the last name of a schema path such as body/target/zones/0). */
const FIELD_NAMES: Record<string, Words> = {
  expires: [ja.expiry, 'expiry'],
  level: ['警戒レベル', 'alert level'],
  hazard: [ja.hazard, 'hazard'],
  status: [ja.status, 'kind'],
  zones: [ja.areas, 'areas'],
  target: [ja.areas, 'areas'],
  group: [ja.group, 'recipients'],
  template: [ja.template, 'instruction'],
  extra: ['追加の文', 'extra text'],
  username: [ja.username, 'username'],
  password: [ja.password, 'password'],
  capacity: [ja.capacity, 'capacity'],
  open: ['開設・閉鎖', 'open or closed'],
  hazards: [ja.hazards, 'hazards'],
  certificate: ['カードの証明書', 'card certificate'],
  signature: ['カードの署名', 'card signature'],
  challengeId: ['ログインの確認', 'login check'],
  residentId: [ja.residentId, 'resident ID'],
  deviceId: ['TVの番号', 'TV ID'],
  roles: [ja.roles, 'roles'],
  displayName: ['表示名', 'display name'],
  name: ['名称', 'name'],
  limit: ['件数', 'limit'],
  q: [ja.search, 'search'],
  draft: [ja.drafts, 'draft'],
  polygon: ['範囲', 'area'],
  circle: ['範囲', 'area'],
};
/** A field path from the server ("body/target/zones/0", "expires") in the staff's words; null when it names nothing. */
export function fieldName(path: unknown): string | null {
  if (typeof path !== 'string' || !path) return null;
  const parts = path
    .split(/[/.]/)
    .filter((p) => p && !/^\d+$/.test(p) && !['body', 'params', 'querystring', 'headers', 'spec'].includes(p));
  const last = parts[parts.length - 1];
  if (!last) return null;
  if (FIELD_NAMES[last]) return pick(FIELD_NAMES[last]!);
  if (REGISTER_FIELDS[last]) return pick(REGISTER_FIELDS[last]!);
  return last;
}
