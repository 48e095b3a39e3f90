/**
 * Writes the console's sections of docs/PROTOCOL.md ("## Alerts", "## Receipts", "## Console API")
 * from the contract's schemas and the console's error registry, so the page cannot drift from the
 * code (test/protocol-doc.test.ts checks it). Run: npx tsx municipal-console/src/protocol-doc.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AreaAlertSchema,
  BindingSchema,
  BindNonceSchema,
  BindRegistrationSchema,
  PersonalAlertSchema,
  ReceiptSchema,
  WakeSchema,
} from '@kizuna/contract';
import { consoleErrors } from './errors.ts';
import { CAP_REFUSALS } from './alerts/cap-import.ts';
import { LEVEL_NAMES, LEVEL_WORDS } from './alerts/cap-level.ts';
import { uiErrors } from './routes/ui-errors.ts';
import { REGISTER_ROW_PROBLEMS } from './register/resident-records.ts';
import { REGISTER_CSV_COLUMNS } from './register/register-csv.ts';
import { BINDING_END_REASONS } from './register/residents.ts';
import { LIMITS } from './limits.ts';

export const SECTION_TITLES = [
  '## Alerts',
  '## Waking a box for an alert',
  '## Receipts',
  '## Card binding',
  '## Console API',
] as const;

const schemaBlock = (s: unknown) => '```json\n' + JSON.stringify(s, null, 2) + '\n```';

export function consoleSections(): string {
  const errs = [...Object.values(consoleErrors), ...Object.values(uiErrors)]
    .map((e) => `| \`${e.code}\` | ${e.status} | ${e.doc} |`)
    .join('\n');
  const codeTable = (codes: Record<string, string>) =>
    Object.entries(codes)
      .map(([k, v]) => `| \`${k}\` | ${v} |`)
      .join('\n');
  return `## Alerts

The municipal console publishes two kinds of alert message. Both are JSON (UTF-8), carry \`v: 1\`,
and are validated by the TV against the schemas below (\`decodeMessage\` in \`@kizuna/contract\`; the TV
applet ships them compiled ahead of time, tv-app/src/net/message-checks.ts).

| topic | QoS | retained | payload |
| --- | --- | --- | --- |
| \`kz/{muni}/tv/{device}/alert\` | 1 | no | \`personal-alert\`: one message per TV naming every resident bound to it |
| \`kz/{muni}/area/{zone}/alert\` | 1 | yes | \`area-alert\`: for TVs with nobody bound; an empty payload clears it (on expiry) |

How a TV should act on them:

- **One alert, many revisions.** \`alertId\` names the alert; \`revision\` grows with each Update
  and Cancel. Show only the highest revision seen for an \`alertId\`; ignore a lower or equal one
  (the console re-sends until the TV confirms delivery, so duplicates are normal).
- **msgType.** \`Alert\` and \`Update\` replace what is shown for that \`alertId\`; \`Cancel\` ends it, and
  its \`end\` says why: lifted or sent in error (next section). A TV that is no longer targeted by an
  Update receives a \`Cancel\` for it (\`end: "lifted"\`: the order is lifted for that area).
- **status.** \`Exercise\` and \`Test\` are marked in every text (「【訓練】」, "[EXERCISE]", …) and
  must also be marked on screen; never present them as real.
- **expires.** Stop showing the alert at \`expires\`, whatever else happens.
- **Personal before area.** A TV with residents bound shows its \`personal-alert\` and ignores an
  \`area-alert\` with the same \`alertId\`. A TV with nobody bound shows the \`area-alert\` text in its
  chosen language (\`text\` has every language in \`ja\`, \`ja-x-easy\`, \`en\`, \`zh\`, \`ko\`, \`vi\`, \`pt\`).
- **Recipients.** Each has a \`ref\`: a pseudonym valid for this alert only (never a resident id or
  a My Number); receipts name it. \`displayName\` includes the honorific (山田 太郎さん, Mr …, Sra. …);
  \`reading\` is the kana reading for speech engines. \`headline\` starts with the level's fixed
  phrase; \`instruction\` names the hazard and the shelter chosen for this person (open, safe
  against this hazard, a welfare shelter for people who need help when one has room, nearest
  with places left). At level 5 (緊急安全確保) there is no shelter: the text says to secure safety
  where they are. At level 3 the elderly (65+) and people who need help are told to leave;
  everyone else to get ready.
- **Off and back on.** Connect with \`clean: false\` and a fixed client id (= broker username) so
  the broker keeps QoS 1 messages; the console also re-sends from its database to TVs that have
  not confirmed delivery, until expiry: \`KZ_CONSOLE_RESEND_AFTER_S\` seconds after the last send,
  then twice that, then four times that for every later re-send to the same TV (reset by a new
  revision).
  The broker keeps only a TV's latest messages (\`KZ_BROKER_MAX_QUEUED_MESSAGES\`, 100, and
  \`KZ_BROKER_MAX_QUEUED_BYTES\`, 1 MiB; the oldest are dropped) and, on the embedded broker,
  does not deliver an alert past its \`expires\`; a TV still discards an expired alert itself.
  On a RabbitMQ cluster TVs connect with \`clean: true\` (their page's \`clean=1\`) and subscribe at
  QoS 0: with a clean session QoS 1 keeps nothing more, and RabbitMQ makes a QoS 0 subscription a
  transient queue the other nodes drop when the TV's node is lost; nothing is kept while a TV is
  away, and the console's re-sender covers it. With a clean session each connection has a client id
  of its own, \`<username>~<connection>\` (1–32 of \`A-Z a-z 0-9 _ -\`): RabbitMQ names the queue
  after the client id, and a TV coming back to another node under its old name waited for the lost
  node's queue of that name to be deleted. Brokers allow a TV such a name with a clean session only
  (RabbitMQ: only its QoS 0 queue); Mosquitto's dynamic security fixes each TV's client id to its
  username, so \`clean=1\` is for the RabbitMQ cluster and the embedded broker.

### Lifting and cancelling

An alert ends in one of two ways, and residents must be told which (issues 18, 19). Both are a
\`Cancel\` revision on the TV and area topics; \`end\` (contract \`END_REASONS\`) names the kind:

| \`end\` | 日本語 | meaning | console | alert state | TV | CAP 1.2 export |
| --- | --- | --- | --- | --- | --- | --- |
| \`lifted\` | 解除 | the danger is over; the order is lifted | \`POST /api/alerts/:id/lift\` (confirmation required), audit \`alert.lift\` | \`lifted\` | a full-screen, calm lifting screen (no level colour, no tone, no answer keys) in each resident's language with the time; Home keeps a line "{zone}: {order} lifted at HH:MM" until the alert's own \`expires\` | \`msgType\` **Update** (\`references\` the previous message), \`responseType\` AllClear, \`urgency\` Past, \`severity\` Minor, \`parameter\` 発令・解除区分 = 解除 |
| \`sent-in-error\` | 取消 | the message should never have been sent | \`POST /api/alerts/:id/cancel\` (confirmation required), audit \`alert.cancel\` | \`cancelled\` | a full-screen cancel screen saying plainly that it was sent in error, with the time; Home keeps a line saying so | \`msgType\` **Cancel** (\`references\`), \`note\` "誤って送信されたため取り消します / cancelled: sent in error", \`responseType\` None, \`urgency\` Past |

Why this CAP mapping: CAP 1.2 defines \`Cancel\` as cancelling the referenced message and
\`responseType\` AllClear as "the subject event no longer poses a threat"; a lifting is news about
the event (an \`Update\` that the danger is over), as Lアラート carries 解除 of 避難指示 as an issue of
its own with 発令・解除区分 = 解除, while 取消 withdraws a message that should not have been sent,
which is CAP's \`Cancel\` with the reason in \`note\` (CAP's \`Error\` is meant for rejecting a
message received, not for withdrawing one's own).

The recipients of a \`Cancel\` are the residents the TV showed the alert to; their \`headline\` and
\`instruction\` are the console's words for the ending in each one's language (「山田 太郎さん、洪水の
避難情報は解除されました」, 「…誤って送信されたものです」). A TV that showed the alert shows the
ending screen even when it was on Home, so the resident learns why the banner went away. A
\`Cancel\` without \`end\` (from an older console) ends the alert without saying why: the TV shows a
short notice only. Each ending has its own confirmation, \`GET /api/alerts/:id/ending?end=…\`: which
alert, mode, level, hazard, areas, whom the Cancel reaches now, whether it waits for a second
person, and a \`digest\` (of the Cancel revision it would write, reason included) that lift and
cancel carry back; a stale one is 409 \`KZ_CONSOLE_CONFIRMATION_STALE\`. Both follow the approval
rule as a Cancel (docs/OPERATIONS.md, "Console: the approval rule per action").

### PersonalAlert (\`kind: "personal-alert"\`)

${schemaBlock(PersonalAlertSchema)}

### AreaAlert (\`kind: "area-alert"\`)

${schemaBlock(AreaAlertSchema)}

## Waking a box for an alert

\`kz/{muni}/tv/{device}/wake\` (QoS 1, not retained) is for the box, not the applet: where no platform
lets a web app bring itself forward or wake a display in standby, the box's launcher hook turns the
TV on (HDMI-CEC One Touch Play) and opens the applet at the alert deep link
(\`#…&intent=alert&alert={alertId}\`). Only the municipality may publish it (broker policy); it is
under the TV's own topics, so only that TV's credential reads it. It carries no names and no text,
and a wake past \`expires\` is ignored. The applet ignores it (it has the alert itself). The console
publishes it when \`KZ_CONSOLE_WAKE_BOXES=on\` (default off: most boxes run no hook, and each wake
is one more QoS 1 message per TV): for every Alert or Update, each targeted TV gets the revision's
wake immediately before its personal alert, in the same fan-out chunk, so the hook turns the
display on while the alert is on its way. A Cancel sends none. The reference hook
(tv-app/launcher-hook) also wakes the box on the personal alert itself, which it leaves
unacknowledged for the applet, so a wake lost or switched off still wakes a box whose hook holds the
session. tv-app/README.md, "Packaging", says what each kind of box does.

${schemaBlock(WakeSchema)}

## Receipts

The TV publishes to \`kz/{muni}/tv/{device}/receipt\` (QoS 1, not retained):

1. \`delivered\` as soon as a \`personal-alert\` (any revision) arrives — this stops re-sends;
2. \`displayed\` once it is on screen;
3. \`acknowledged\` once per resident who answers, with that resident's \`ref\` and \`answer\`:
   \`evacuating\`, \`safe-indoors\` or \`need-help\`.

Receipts are idempotent per (alertId, device, ref, state): send again freely (after a
reconnect, say). A later answer from the same resident replaces an earlier different one (by
\`at\`); every answer is kept once in \`answer_history\`, so the rescue list shows a corrected
answer with what it replaced. A receipt naming a \`ref\` this TV was not sent is ignored whole. \`at\` is the TV's clock;
the console never accepts a time later than its own. "Need help" answers go to the top of the
rescue teams' list at once.

The console acknowledges a receipt (PUBACK) only once it is stored. During a large fan-out a
receipt can arrive before the console has written the delivery rows it updates (they are written
after every chunk of the alert is published, seconds at most); it is then held, unacknowledged,
and stored as soon as they exist. A TV should keep receipts in flight and not treat a slow PUBACK
as a failure; after a reconnect, sending them again is harmless. The applet gives a receipt up after
20 s without a PUBACK on a live connection and connects anew (keeping the receipt to send again):
RabbitMQ 3.10 can keep a connection open after refusing one publish and acknowledge nothing more on it.

${schemaBlock(ReceiptSchema)}

## Card binding

A resident links their My Number card to a TV once (\`contract/src/binding.ts\`). The TV
authenticates every call with **HTTP Basic and its own broker credentials** (the username and
password the municipality issued it for MQTT); the console checks them against the broker's
credential store, so a rotated or revoked TV is refused here at the same moment as by the broker.

1. \`POST /api/bind/nonce\` \`{device}\` → \`201\` \`BindNonce\` \`{nonce, device, muni, expiresAt}\`.
   The nonce is good for one attempt and for \`KZ_CONSOLE_BIND_NONCE_TTL_S\` seconds (default 300).
2. The resident enters the signing password (6–16 characters) and the card signs, with its
   **signing certificate** (署名用電子証明書), a CMS SignedData (RFC 5652, DER, content embedded,
   signing certificate included) over the UTF-8 JSON \`bindRegistrationBytes(nonce)\`:
   \`{"v":1,"kind":"bind-registration","nonce":…,"device":…,"muni":…}\`.
3. \`POST /api/bind\` \`{cms: base64}\` → \`201\` \`Binding\` \`{bindingId, device, displayName, boundAt}\`.

The console verifies fail-closed with \`@kizuna/jpki\`'s verifier: signature and content digest,
chain to the J-LIS signing CA, signing-certificate type, validity, and a current signed OCSP/CRL
answer — no answer means no binding (\`KZ_CONSOLE_BIND_STATUS_UNAVAILABLE\`, try again). It then
checks the registration names this TV and municipality and spends the nonce, matches the
certificate's four items (name as "family　given", address, birth date, sex; compared after NFKC,
spaces and dash variants folded) against its register, and links resident ↔ TV ↔ the card's
user-authentication certificate serial (the authority's sign→auth link, what shelter taps
present). Binding the same resident to the same TV again supersedes the earlier binding. The
match is written to the resident's disclosure log. The My Number is never read.

These four routes answer CORS from any origin (the applet runs in the TV's browser; they take
no cookies, only HTTP Basic); the staff API does not. \`GET /api/bind\` lists the TV's active bindings; \`DELETE /api/bind/{bindingId}\` unbinds one of them
(\`204\`); staff can end any binding with \`DELETE /api/bindings/{id}\` (admin).

**Revocation watch.** The signing certificate of each binding is kept (evidence) and its status is
asked again on the console's timer: every bound card once per \`KZ_CONSOLE_REVOCATION_CHECK_S\`
(default 3600 s), \`KZ_CONSOLE_REVOCATION_BATCH\` cards per pass. A revoked card (moved, renamed,
died, lost) ends the binding at once — \`status: revoked\` with the life event as reason in
\`GET /api/residents/{id}\` — and no personal alert goes to it any more (its TV gets the area message
if nobody else is bound). A plain renewal is followed to the new card when the authority publishes
the new certificate (in-process authority); otherwise the binding ends with "card renewed: bind
the new card". An unanswered status query changes nothing and is asked again next pass. Revocation
is therefore seen within one check interval; the alert path never waits on a status query.

### BindRegistration (\`kind: "bind-registration"\`)

${schemaBlock(BindRegistrationSchema)}

### BindNonce and Binding

${schemaBlock(BindNonceSchema)}

${schemaBlock(BindingSchema)}

## Console API

The staff API of \`municipal-console\` (default \`http://127.0.0.1:18800\`). The full OpenAPI
description is served at \`/docs\` (Swagger UI) and \`/docs/json\`; every route declares its
body and response schemas. Staff log in with \`POST /api/session\` {username, password}, which
returns a bearer token and sets the httpOnly cookie \`kz_console_session\` (used by EventSource).
Staff with a linked card log in with it instead: \`POST /api/session/card/challenge\` returns a
nonce, the card (through the staff PC's card-reader bridge) signs it with its user-authentication
key, and \`POST /api/session/card\` {challengeId, signature, certificate} is verified fail-closed
by jpki (chain, key usage, signature, revocation at that moment) and matched to a staff member by
the certificate's serial (\`staff_cards\`; never a My Number, never a name). \`GET /api/session\` says
which \`method\` opened the session; the audit log records it. Roles: \`viewer\` (read; residents as figures only), \`issuer\` (issue, update, cancel, open/close shelters; residents and the rescue list by name), \`approver\`
(approve), \`admin\` (register, TVs, staff; holds every role). Login, the card challenge, TV binding and
disclosure reads, and the roster are rate-limited: over the limit a request is refused with 429
\`KZ_RATE_LIMITED\` ({code, message, details: {retryAfterS}}) and a \`Retry-After\` header.
Staff logins count failures only, per client address (the real client behind \`KZ_CONSOLE_TRUST_PROXY\`)
and per account (a temporary lock after repeated failures, answered like a wrong password).
A session ends after \`KZ_CONSOLE_SESSION_IDLE_S\` without a request. Approving a real alert and
confirming an admin change need a fresh authentication (within \`KZ_CONSOLE_REAUTH_S\`): otherwise
401 \`KZ_CONSOLE_REAUTH_REQUIRED\`, answered by \`POST /api/session/reauth\` {password} and a retry.
Creating staff, changing roles, enabling an account and resetting a password answer 202 with a
pending change that a different admin confirms (\`POST /api/admin-changes/:id/confirm\`).

Issuing, sending, approving and updating an alert answer once every TV has been sent its message
(\`?wait=sent\`, the default: 1–2 s at 10,000 TVs, about 10 s at 50,000 on the benchmark machine). With
\`?wait=started\` they answer once the first chunk (people who need help first) is on its way; the
rest follows in the console, \`GET /api/alerts/:id/status\` shows its progress (\`sending\`), and if
the console dies meanwhile another one's alert timer finishes it. The staff UI uses \`started\`.

| route | role | what |
| --- | --- | --- |
| \`POST /api/alerts\` | issuer | store a draft {level, hazard, status, expires, target{zones, polygon, circle, group}, template, extra, draft: true}; nothing is published here, and without \`draft: true\` it is 400 \`KZ_CONSOLE_CONFIRMATION_REQUIRED\` (read …/confirmation, then …/send) |
| \`POST /api/alerts/cap\` | issuer | import CAP 1.2 XML, always as a draft: an Alert is a draft alert, an Update or Cancel of an active alert its draft revision (\`draft\` of the alert; a Cancel of an alert never sent withdraws it); nothing is published until …/send with the digest of …/confirmation |
| \`GET /api/alerts/:id/cap\` | viewer | the alert as CAP 1.2: an imported revision as its document was given, a revision Kizuna made with one \`<info>\` per language (below) |
| \`GET /api/alerts/:id/confirmation\` | issuer | what sending the draft (a new alert, or an active alert's stored Update or Cancel: \`msgType\`, \`end\`, \`onTvs\`) would publish: mode, level, hazard, areas by name, text per language, counts (people, TVs, zones) now, whether it waits for approval, and its \`digest\` |
| \`POST /api/alerts/:id/send\` | issuer | send a draft as its confirmation showed it: body {revision, digest} from \`GET …/confirmation\` (400 without), and \`acknowledged\` naming each of its \`warnings\` (else 409 \`KZ_CONSOLE_WARNING_UNCONFIRMED\`); the draft or its reach changed since → 409 \`KZ_CONSOLE_CONFIRMATION_STALE\` (details {revision, digest} now), nothing published |
| \`POST /api/alerts/:id/level\` | issuer | answer the level {level} of a CAP import that gave none (a draft warning \`level-unknown\`): a new draft revision at that level; until then a send is 409 \`KZ_CONSOLE_LEVEL_UNKNOWN\` |
| \`POST /api/alerts/:id/approve\`, \`/reject\` | approver | second-person approval of exactly what was shown (never one's own revision): body {revision, digest} = the alert's \`pending.revision\`, \`pending.digest\`; another revision or other content waiting → 409 \`KZ_CONSOLE_APPROVAL_STALE\` (details {revision, digest} of what waits now), nothing published |
| \`POST /api/alerts/:id/update\` | issuer | store an Update of an active alert as its draft revision {…fields, draft: true} (without \`draft: true\` 400 \`KZ_CONSOLE_CONFIRMATION_REQUIRED\`, nothing stored); the alert's \`draft\` shows it, and it goes out by …/confirmation and …/send, published or waiting for approval under the approval rule |
| \`GET /api/alerts/:id/ending?end=lifted\\|sent-in-error\` | issuer | what lifting (解除) or cancelling (取消, sent in error) the active alert would publish: mode, level, hazard, areas, counts now, whether it waits for approval, and its \`digest\` |
| \`POST /api/alerts/:id/lift\` | issuer | lift (解除: the danger is over) an active alert as its ending confirmation showed it: body {revision, digest} (400 \`KZ_CONSOLE_CONFIRMATION_REQUIRED\` without; stale → 409 \`KZ_CONSOLE_CONFIRMATION_STALE\`); a Cancel with \`end: "lifted"\` under the approval rule; state \`lifted\` |
| \`POST /api/alerts/:id/cancel\` | issuer | cancel (取消) an alert sent in error: a never-published alert is withdrawn; an active one's Cancel (\`end: "sent-in-error"\`) follows the approval rule, body {revision, digest} from \`GET …/ending?end=sent-in-error\` required (400 \`KZ_CONSOLE_CONFIRMATION_REQUIRED\` without; stale → 409); state \`cancelled\` |
| \`GET /api/settings/approval-rule\` | viewer | the approval rule ({rule, setBy, confirmedBy, setAt, proposal}) |
| \`POST /api/settings/approval-rule/propose\`, \`/confirm\` | admin | {rule}: one admin proposes, a different admin confirms the same value |
| \`GET /api/alerts/:id/preview\` | viewer | the exact payload for each kind of recipient (issuer, approver); for a viewer with each resident name replaced by a placeholder and no TV id |
| \`GET /api/alerts/:id/status\` | viewer | targeted, delivered, displayed, acknowledged by answer, arrived — totals and per zone (a fan-out's TVs count once it has sent them all); while a revision is being sent, \`sending\` {revision, tvs, sent}; \`?residents=true\` adds one row per resident (issuer or admin; audited) |
| \`GET /api/alerts/:id/rescue\` | viewer | \`counts\` {people, needHelp, noAnswer} of the people who answered "need help" (first) or need help and have not answered after \`afterSeconds\`, none who checked in at any shelter since the alert (\`needHelp\` is the status's \`needHelpOpen\`: the same arrivals); for an issuer or admin also \`people\`: name, address, phone, supporter, \`zoneName\` (地区), \`delivery\` (sent / received / on-screen / answered) with \`sentAt\`, \`deliveredAt\`, \`displayedAt\`, \`answeredAt\`, and \`answers\`, every answer given oldest first (a corrected answer shows what it replaced; no coordinates; the read is audited) |
| \`GET /api/alerts/:id/rescue.csv\` | issuer | the same list as CSV, the same columns (answer history as \`at answer; …\`; audited as a disclosure) |
| \`GET /api/alerts/:id/rescue/points\` | issuer | the same people as points for the map: resident id, zone, \`lon\`, \`lat\` (the registered home; the middle of the zone with \`approximate: true\` when it has no coordinates), answer; 403 for a viewer or approver (the read is audited, read.rescue-map) |
| \`GET /api/alerts/:id/events\` | viewer | SSE: \`status\` events (throttled) |
| \`GET /api/live\` | viewer | SSE: \`alert\` events {alert, totals, sending?} for every alert that changes |
| \`GET /api/zones\`, \`/api/shelters\`, \`/api/devices\`, \`/api/residents/counts\` | viewer | the register; residents as figures per zone {residents, needsHelp, personalAlerts} |
| \`GET /api/residents\`, \`/api/residents/:id\` | issuer | residents by name, with their TVs (every read audited as \`read.residents\` / \`read.resident\`, by resident id) |
| \`POST /api/zones\`, \`/api/shelters\`, \`/api/residents\`, \`/api/devices\`, \`/api/bindings\`, \`/api/staff\` | admin | maintain it |
| \`PATCH /api/shelters/:id\` | issuer | open/close a shelter, change its capacity |
| \`POST /api/devices/:id/credentials\` | admin | issue a TV's broker credentials, or rotate them if active: \`{username, password, action}\`, the password shown once |
| \`DELETE /api/devices/:id/credentials\` | admin | revoke them now (the TV is disconnected and marked revoked; no personal alert targets it) |
| \`POST\`, \`DELETE /api/shelters/:id/terminals/:terminal/credentials\` | admin | the same for a shelter terminal (its MQTT login and its roster login) |
| \`DELETE /api/bindings/:id\` | admin | end a binding |
| \`POST /api/residents/csv\` | admin | import the register extract as CSV: all lines or none (below) |
| \`POST /api/bindings/unbind\` | admin | end a resident's binding to a TV {residentId, deviceId} |
| \`GET /api/staff\`, \`POST /api/staff\` | admin | staff accounts and their linked cards; propose an account (202, pending) |
| \`POST /api/staff/:username/roles\`, \`/enable\`, \`/password\` | admin | propose new roles, enabling, a password reset (202, pending a second admin) |
| \`POST /api/staff/:username/disable\`, \`DELETE /api/staff/:username/sessions\`, \`GET /api/staff/sessions\` | admin | disable now (its sessions end), end its sessions, every open session |
| \`GET /api/admin-changes?state=\`, \`POST /api/admin-changes/:id/confirm\`, \`DELETE /api/admin-changes/:id\` | admin | pending changes; confirm (another admin, fresh authentication) or withdraw |
| \`POST /api/session/reauth\`, \`POST /api/session/password\`, \`GET /api/sessions\`, \`DELETE /api/sessions/:id\` | viewer | re-authenticate; change one's password; one's sessions, end one (an admin: anyone's) |
| \`POST /api/staff/:username/cards\`, \`DELETE /api/staff/:username/cards/:serial\` | admin | propose linking a staff card (verified first, revocation included; 202, applied when another admin confirms) / unlink it (immediate) |
| \`POST /api/bind/nonce\`, \`POST /api/bind\`, \`GET /api/bind\`, \`DELETE /api/bind/:bindingId\` | the TV (Basic) | card binding, above |
| \`GET /api/bind/disclosures?limit=\` | the TV (Basic) | the console's disclosure log (card binding, shelter rosters, rescue-list downloads) for the residents bound to this TV only, newest first (≤ 200): recipient as municipality / shelter name / staff roles, purpose code, items |
| \`GET /api/shelters/:id/roster\` | the shelter's terminals (Basic) | the shelter roster: every resident of the municipality (section Shelter terminal); gzipped if accepted |
| \`GET /api/shelters/:id/roster/changes?since=\` | the shelter's terminals (Basic) | what changed on the roster since the version the terminal holds (section Shelter terminal) |

**TVs and terminals** authenticate with HTTP Basic and their own broker credentials (issued above;
never a staff session). A terminal may read only its own shelter's roster; a TV may bind only to
itself. The roster holds every resident of the municipality (issue 19: people go to the shelter
they can reach); those of the zones the shelter serves (\`serves\` on the shelter) and those an
active alert sends there are marked \`assigned\`; its \`events\` are the shelter's check-ins of the
last \`KZ_CONSOLE_ROSTER_WINDOW_DAYS\` days. Roster and household keys are
HMACs under a per-shelter secret, so two shelters' rosters cannot be joined. The roster's
\`version\` is a hash of its content (\`ETag\`; \`If-None-Match\` → \`304\`). Each change of what a shelter
holds about a person is written once to that person's disclosure log, not once per fetch.

**Approval.** Which changes wait for a second person is the municipality's approval rule
(\`all\`, \`actual\` — the default: every change to a real alert that reaches TVs, cancel included —
or \`actual-4-5\`; per action in docs/OPERATIONS.md). A change to an alert whose current version a
second person approved always waits. A waiting change is held (\`state: pending-approval\`, or
\`pending\` on an active alert, whose TVs keep what they show) until a different staff member with
the approver role approves it. \`pending\` carries \`digest\` (SHA-256 of its type, mode, level,
hazard, template, expiry, extra text per language, areas and \`counts\`, the recipients when it was
submitted); approve and reject send it back with the revision, and the audit records it.

**CAP 1.2 profile (import, \`POST /api/alerts/cap\`).** Accepted: a UTF-8 document (invalid UTF-8 is
refused, reason \`utf-8\`, never repaired; another declared encoding: \`encoding\`) whose root is
\`<alert>\` in the namespace \`urn:oasis:names:tc:emergency:cap:1.2\` (a default or any prefix; CAP 1.1,
no namespace or another namespace: \`namespace\`, with \`details.got\`). No DTD: any \`<!DOCTYPE\`/\`<!ENTITY\`
is refused before a parser sees it (\`doctype\`), and elements nest at most 16 deep (\`depth\`). Every
document is then validated against the OASIS CAP 1.2 XML schema (\`CAP-v1.2.xsd\` as OASIS publishes
it, by libxml2 offline: \`schema\`, e.g. elements out of order, an unknown element, a bad language
tag) and the rules the schema cannot say: \`<sent>\`/\`<expires>\` with an offset and no \`Z\`;
identifier and sender without spaces, commas, \`<\` or \`&\`; \`<references>\` as
\`sender,identifier,sent\` triples (\`reference-format\`), required for Update and Cancel; closed
polygons of ≥ 4 points. Limits (docs/OPERATIONS.md "Console: CAP import limits"): body bytes (413
\`KZ_BODY_TOO_LARGE\`), \`<info>\`s and \`<area>\`s (\`too-many\`), points per polygon and in all polygons
(\`too-many\`), characters per text element (\`too-long\`).
Kizuna acts on: the level (警戒レベル) from a \`<parameter>\` or an \`<eventCode>\` whose \`valueName\` is one
of ${LEVEL_NAMES.map((n) => `\`${n}\``).join(', ')}, its value a digit (half- or full-width), \`レベル4\`,
\`警戒レベル4\` or \`Level 4\`, or the evacuation information the level stands for since the Cabinet
Office's May 2021 guidelines (避難情報に関するガイドライン): ${Object.entries(LEVEL_WORDS)
    .map(([w, l]) => `\`${w}\` = ${l}`)
    .join(', ')} (a level other than 3, 4 or 5: \`level-value\`); the hazard from
\`<eventCode><valueName>kizuna:hazard</valueName>\` (one of flood, landslide, storm-surge, earthquake,
tsunami, fire, volcano), else read from \`<event>\`; zones from \`<geocode><valueName>kizuna:zone</valueName>\`;
one \`<polygon>\` and one \`<circle>\` at most (the same one repeated in each language's \`<info>\` counts
once). An Alert or Update needs \`<expires>\` and an area; \`<instruction>\` per language is appended to
the template text on TVs.
**Kept as given.** The import keeps the whole document (\`spec.cap.document\`): the \`<alert>\` fields and
every \`<info>\` with its own language, category, event, responseType, urgency, severity, certainty,
audience, eventCodes, effective, onset, expires, senderName, headline, description, instruction, web,
contact, parameters, resources (without \`<derefUri>\`) and areas (areaDesc, polygons and circles as
written, geocodes such as \`JIS\` or \`SAME\`, altitude, ceiling). An \`<info>\` in a language the TVs do not
render (e.g. \`es-US\`) is kept like the others and listed in \`spec.cap.notShown\` (language, event,
headline, description, instruction, areaDesc); the staff page shows it as "not shown on TVs".
**Warnings.** An Alert becomes a draft with \`spec.cap.warnings\`, not a refusal, when staff must settle
something first: \`level-unknown\` (no level read as above: \`POST /api/alerts/:id/level {level}\` answers
it, and until then a send is \`409 KZ_CONSOLE_LEVEL_UNKNOWN\`) and \`reaches-no-one\` (its polygon or
circle meets none of the municipality's zones and it names no zone: \`GET …/confirmation\` lists it in
\`warnings\`, and the send must carry \`acknowledged: ["reaches-no-one"]\`, else \`409
KZ_CONSOLE_WARNING_UNCONFIRMED\`). An Update without a level is refused (\`level-required\`).
**Nothing goes out unseen.** An import publishes nothing: an Alert is stored as a draft alert (201),
an Update or Cancel of an active alert as that alert's draft revision (200, the alert's \`draft\`),
each sent as staff send any draft (\`GET …/confirmation\`, \`POST …/send\` with its revision and digest),
under the approval rule. A Cancel of an alert that never reached TVs withdraws it. \`?draft=true\`
(older callers) changes nothing.
**Export (\`GET /api/alerts/:id/cap\`).** A revision an imported document made is given back as that
document: its \`identifier\`, \`sender\`, \`sent\` (as written, offset included) and content unchanged, every
element in the schema's order (import → export → import is a fixed point: a property test). A revision
Kizuna made (a console update, the level staff answered, a Cancel) is Kizuna's own message: sender
the municipality's (\`kizuna.muni-<municipality code>.jp\`),
identifier \`<identifier>-r<n>\` (or the alert's identifier for the first revision of an alert issued in
the console), \`sent\` the time it was published, one \`<info>\` per language Kizuna renders, and
\`<references>\` naming the message before it (the previous published revision, or the imported document
it changed).
**Identity.** The import keeps the document's \`identifier\`, \`sender\` and \`sent\`. An Update or Cancel
finds its alert by the exact triple of one of its \`<references>\` (by equality, never a pattern): the
identity an imported Alert or Update arrived with, or that of Kizuna's own export of a revision
(its sender, the identifier or \`<identifier>-r<n>\`, the revision's time); \`sent\` matches as an instant.
None: \`404 KZ_CONSOLE_UNKNOWN_ALERT\`. Only the alert's own sender, or one listed in
\`KZ_CONSOLE_CAP_TRUSTED_SENDERS\`, may update or cancel it (\`403 KZ_CONSOLE_CAP_SENDER\`). A Cancel
needs no \`<info>\`. An Update or Cancel follows the approval rule like one typed in the console.
Refusals are \`400 KZ_CONSOLE_CAP_INVALID\` naming the element as a path (\`details.field\`, e.g.
\`/alert/info[1]/urgency\`) and the reason (\`details.reason\`, one of ${CAP_REFUSALS.map((r) => `\`${r}\``).join(', ')}),
with \`details.allowed\`, \`got\`, \`point\`, \`limit\`, \`line\` or \`byte\` where they apply; \`message\` says the
same in English. The staff UI words each reason itself.

**Strict input.** Every JSON body is closed: a field the schema does not name is refused (\`400
KZ_VALIDATION\`, \`field\` naming it, e.g. \`body/createdBy\`; the CAP identity fields \`cap.*\` come only
from a CAP import). A string holding U+0000 anywhere in a body, query or path is refused before
anything else looks at it (\`400 KZ_BAD_INPUT\`, \`field\` e.g. \`body/extra/ja\`; in a CSV import, the
row problem \`nul-character\`). Limits: names ${LIMITS.nameLength} characters, addresses and
supporters ${LIMITS.textLength}, phones ${LIMITS.phoneLength}; polygons ${LIMITS.polygonPoints}
positions; an alert targets at most ${LIMITS.targetZones} zones, each once; circles up to
${LIMITS.circleRadiusM / 1000} km; shelter capacity 0–${LIMITS.shelterCapacity}; an alert expires within
${LIMITS.expiresWithinMs / 86_400_000} days; birth dates from ${LIMITS.earliestBirthDate} to today. Every API
answer carries \`Cache-Control: no-store\`.

Errors are JSON \`{code, message, field?, details?}\`. The console's codes:

| code | HTTP | meaning |
| --- | --- | --- |
${errs}

**Register extract CSV.** \`POST /api/residents/csv\` (\`text/csv\`, header row first) imports nothing
when any line is bad: \`400 KZ_CONSOLE_CSV_INVALID\` with \`details.rows\` =
\`[{row, id, errors: [{code, line, field?, value?, expected?, message}]}]\`, every problem of every
bad line. \`row\` and \`line\` count lines as a spreadsheet does (header = 1); \`field\` is the column's
header name; \`message\` says the same in English. Clients word \`code\` themselves (the staff UI does,
in Japanese or English), table below.

Columns: ${REGISTER_CSV_COLUMNS.map((c) => `\`${c}\``).join(', ')}; \`supporter\`, \`phone\`, \`household\`, \`lat\`, \`lon\`,
\`familyNameLatin\` and \`givenNameLatin\` are optional. The last two are the name in alphabet as the
register has it (a foreign resident's residence record; both or neither): TVs in English, Portuguese,
Vietnamese, Korean and Chinese name the resident with it (issue 18). A shelter's \`nameLatin\` and
\`addressLatin\` (\`POST /api/shelters\`) are shown on those screens likewise.


| code | meaning |
| --- | --- |
${codeTable(REGISTER_ROW_PROBLEMS)}

**Why a binding ended.** \`GET /api/residents\` and \`/api/residents/{id}\` give each ended binding its
stored \`reason\` and a stable \`reasonCode\`, with \`endedBy\` (staff-unbind) and \`lifeEvent\`
(card-revoked):

| reasonCode | meaning |
| --- | --- |
${codeTable(BINDING_END_REASONS)}
`;
}

/** Replace the console's sections of PROTOCOL.md where they stand (or append them), leaving every other section alone. */
export function updateProtocolDoc(md: string): string {
  const ours = consoleSections().trimEnd().split('\n');
  const out: string[] = [];
  let skipping = false;
  let at = -1;
  for (const line of md.split('\n')) {
    if (line.startsWith('## ')) {
      skipping = (SECTION_TITLES as readonly string[]).includes(line.trim());
      if (skipping && at < 0) at = out.length;
    }
    if (!skipping) out.push(line);
  }
  if (at < 0) return `${out.join('\n').trimEnd()}\n\n${ours.join('\n')}\n`;
  out.splice(at, 0, ...ours, '');
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url));
  writeFileSync(path, updateProtocolDoc(readFileSync(path, 'utf8')));
  console.log(`updated ${path}`);
}
