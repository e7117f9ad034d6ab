/**
 * Istio's request-level matching for AuthorizationPolicy fields (istio.io, "Authorization Policy" reference and
 * "Authorization Policy Normalization"): every string field matches exactly, by prefix (`abc*`), by suffix (`*abc`)
 * or by presence (`*`, any non-empty value); hosts compare case-insensitively; paths compare after the default (BASE)
 * normalization of the request path.
 */

/** Operation fields that exist only for HTTP: on plain TCP Istio cannot evaluate them. */
export const HTTP_OPERATION_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];

/** Source fields that exist only for HTTP: the request principal comes from a JWT. */
export const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];

/** One HTTP request as the authorization layer sees it; `requestPrincipal` is `<iss>/<sub>`, or `''` without a token. */
export interface HttpRequest {
  readonly method: string;
  /** The normalized path, without query. */
  readonly path: string;
  readonly host: string;
  readonly requestPrincipal: string;
}

/** Istio string match: exact, `prefix*`, `*suffix`, or `*` for any non-empty value. */
export function istioStringMatch(pattern: string, value: string): boolean {
  if (pattern === value) return true;
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return false;
}

/** Whether a host matches a pattern: Istio compares hosts case-insensitively. */
export function hostMatch(pattern: string, host: string): boolean {
  return istioStringMatch(pattern.toLowerCase(), host.toLowerCase());
}

/** Percent-encoded characters BASE normalization decodes: `-`, `.`, `_`, `~`, digits and letters; `%2f` and `%5c` stay. */
const DECODED = /%(2[de]|3\d|[46][1-9a-f]|[57][0-9a]|5f|7e)/gi;

/**
 * The path Istio's default (BASE) normalization gives a request path, as policies see it; undefined when Istio
 * rejects the request (a `%00`, HTTP 400). It drops the query and fragment, decodes the unreserved characters once,
 * turns backslashes into slashes and resolves `.` and `..` segments (RFC 3986); it does not merge slashes, which
 * BASE leaves to MERGE_SLASHES.
 */
export function normalizePath(raw: string): string | undefined {
  const path = raw.split(/[?#]/)[0];
  if (/%00/.test(path)) return undefined;
  const decoded = path.replace(DECODED, h => String.fromCharCode(parseInt(h.slice(1), 16))).replace(/\\/g, '/');
  const out: string[] = [];
  const segments = decoded.split('/');
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  });
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

/** A marker that appears in none of the patterns, for witnesses. */
function freshMarker(patterns: string[], base: string): string {
  let marker = base;
  for (let n = 0; patterns.some(p => p.includes(marker)); n++) marker = `${base}${n}`;
  return marker;
}

/**
 * Values that between them meet every combination of the patterns that a value can meet: each exact pattern, and for
 * each longest matching prefix and suffix the two around a marker no pattern contains. A value's match against
 * exact, prefix, suffix and presence patterns is decided by those, so checking the witnesses checks every value.
 * `start` begins a value that no prefix pattern fixes (`/` for paths).
 */
export function witnesses(patterns: string[], marker: string, start = ''): string[] {
  const fresh = freshMarker(patterns, marker);
  const exact = patterns.filter(p => !p.includes('*'));
  const prefixes = ['', ...patterns.filter(p => p.length > 1 && p.endsWith('*') && !p.startsWith('*')).map(p => p.slice(0, -1))];
  const suffixes = ['', ...patterns.filter(p => p.length > 1 && p.startsWith('*')).map(p => p.slice(1))];
  const out = new Set(exact);
  for (const prefix of prefixes) {
    for (const suffix of suffixes) out.add(`${prefix || start}${fresh}${suffix}`);
  }
  return [...out];
}
