/**
 * CAP 1.2 documents written for the round-trip tests (issue 20), as other systems send them: a
 * Japanese/English level-4 flood alert with a polygon, a JIS geocode, parameters and a Spanish
 * <info> Kizuna does not render; and one in the style of the OASIS specification's own examples
 * (a weather service's warning with SAME geocodes, a resource, a contact and no evacuation level).
 */
export const NS = 'urn:oasis:names:tc:emergency:cap:1.2';

/** A closed ring of n points around (36.005, 140.005), over the test town's zones, as CAP writes it. */
export function ring(n: number, lat = 36.005, lon = 140.005): string {
  const pts: string[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    pts.push(`${(lat + 0.004 * Math.sin(a)).toFixed(6)},${(lon + 0.004 * Math.cos(a)).toFixed(6)}`);
  }
  return [...pts, pts[0]].join(' ');
}

export const FLOOD = {
  identifier: 'JP-pref-kasen-2026-0042',
  sender: 'kasen@pref.example.jp',
  sent: '2026-11-23T18:42:10+09:00',
};

/** The flood alert; `level` replaces its level parameter (''= none). */
export function floodAlert(o: { identifier?: string; level?: string } = {}): string {
  const level =
    o.level === ''
      ? ''
      : `<parameter><valueName>EvacuationLevel</valueName><value>${o.level ?? '4'}</value></parameter>`;
  const area = (desc: string) => `<area>
      <areaDesc>${desc}</areaDesc>
      <polygon>${ring(20)}</polygon>
      <geocode><valueName>JIS</valueName><value>08220</value></geocode>
    </area>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS}">
  <identifier>${o.identifier ?? FLOOD.identifier}</identifier>
  <sender>${FLOOD.sender}</sender>
  <sent>${FLOOD.sent}</sent>
  <status>Exercise</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>ja-JP</language>
    <category>Met</category>
    <event>洪水</event>
    <responseType>Evacuate</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>kizuna:hazard</valueName><value>flood</value></eventCode>
    <expires>2026-11-23T23:00:00+09:00</expires>
    <senderName>県河川課</senderName>
    <headline>川辺川 氾濫危険水位に到達</headline>
    <description>川辺川の水位が氾濫危険水位に達しました。</description>
    <instruction>川沿いの道は通らないでください。</instruction>
    ${level}
    <parameter><valueName>RiverName</valueName><value>川辺川</value></parameter>
    ${area('川辺地区')}
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>River Flood Warning</event>
    <responseType>Evacuate</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-23T23:00:00+09:00</expires>
    <headline>Kawabe River at flood danger level</headline>
    <instruction>Avoid the river road.</instruction>
    ${level}
    ${area('Kawabe district')}
  </info>
  <info>
    <language>es-US</language>
    <category>Met</category>
    <event>Inundación</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>Río Kawabe en nivel de peligro</headline>
    <instruction>Evite la carretera del río.</instruction>
    ${area('Distrito Kawabe')}
  </info>
</alert>`;
}

/**
 * In the style of the OASIS CAP 1.2 specification's examples (Appendix A): a weather service's
 * warning with a responseType, a SAME eventCode, a contact, a resource, a polygon and SAME
 * geocodes, and no evacuation level (Kizuna asks staff for it). Written for these tests.
 */
export const OASIS_STYLE = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS}">
  <identifier>KSTO1055887203</identifier>
  <sender>KSTO@NWS.NOAA.GOV</sender>
  <sent>2026-11-23T10:57:00-07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <code>IPAWSv1.0</code>
  <info>
    <category>Met</category>
    <event>FLASH FLOOD WARNING</event>
    <responseType>Evacuate</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <eventCode><valueName>SAME</valueName><value>FFW</value></eventCode>
    <expires>2026-11-23T13:00:00-07:00</expires>
    <senderName>NATIONAL WEATHER SERVICE SACRAMENTO CA</senderName>
    <headline>FLASH FLOOD WARNING</headline>
    <description>AT 254 PM PDT, NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED HEAVY RAIN OVER THE BURN SCAR &amp; CREEKS RISING FAST.</description>
    <instruction>MOVE TO HIGHER GROUND NOW. DO NOT DRIVE THROUGH FLOODED ROADS &lt;TURN AROUND, DON'T DROWN&gt;.</instruction>
    <contact>BARUFFALDI/JUSKIE</contact>
    <parameter><valueName>VTEC</valueName><value>/O.NEW.KSTO.FF.W.0042.261123T1757Z-261123T2000Z/</value></parameter>
    <resource>
      <resourceDesc>Radar image</resourceDesc>
      <mimeType>image/gif</mimeType>
      <size>14523</size>
      <uri>https://www.weather.example/radar/ksto.gif</uri>
    </resource>
    <area>
      <areaDesc>EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA</areaDesc>
      <polygon>38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14</polygon>
      <geocode><valueName>SAME</valueName><value>006109</value></geocode>
      <geocode><valueName>SAME</valueName><value>006005</value></geocode>
    </area>
  </info>
</alert>`;
