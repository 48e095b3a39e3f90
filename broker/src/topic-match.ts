/**
 * MQTT 3.1.1 topic names and filters (section 4.7), written out so the policy can reason
 * about filters, not just match topics.
 */

/** A concrete topic a client may publish to: no wildcards, no NUL, 1..65535 bytes [MQTT-4.7.3-1], [MQTT-3.3.2-2]. */
export function isValidTopicName(topic: string): boolean {
  return (
    // eslint-disable-next-line no-control-regex -- U+0000 is forbidden in topic names [MQTT-4.7.3-2]
    typeof topic === 'string' && topic.length > 0 && Buffer.byteLength(topic) <= 65535 && !/[+#\u0000]/.test(topic)
  );
}

/** A subscription filter: '#' only last and alone in its level, '+' alone in its level [MQTT-4.7.1-2], [MQTT-4.7.1-3]. */
export function isValidTopicFilter(filter: string): boolean {
  if (
    typeof filter !== 'string' ||
    filter.length === 0 ||
    Buffer.byteLength(filter) > 65535 ||
    filter.includes('\u0000')
  )
    return false;
  const levels = filter.split('/');
  return levels.every((l, i) => {
    if (l.includes('#')) return l === '#' && i === levels.length - 1;
    if (l.includes('+')) return l === '+';
    return true;
  });
}

/** Does the filter match the topic? Wildcards in the first level never match '$' topics [MQTT-4.7.2-1]. */
export function topicMatches(filter: string, topic: string): boolean {
  if (!isValidTopicFilter(filter) || !isValidTopicName(topic)) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true; // also matches the parent level [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Is every topic `filter` can match also matched by `grant`? A '+' in the filter is covered
 * only by '+' or '#' in the grant, a '#' only by '#'. Conservative by design (deny by default):
 * it never says yes for a filter that reaches past the grant.
 */
export function filterCovers(grant: string, filter: string): boolean {
  if (!isValidTopicFilter(grant) || !isValidTopicFilter(filter)) return false;
  const g = grant.split('/');
  const f = filter.split('/');
  if (filter.startsWith('$') && (g[0] === '+' || g[0] === '#')) return false;
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false;
    if (g[i] === '+') continue;
    if (f[i] !== g[i]) return false;
  }
  return f.length === g.length;
}
