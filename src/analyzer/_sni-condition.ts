/**
 * AuthorizationPolicy `when` conditions on the TLS server name (`connection.sni`), which an egress gateway's rules
 * use to admit each client for its hosts only. Istio applies `connection.sni` to TCP and HTTP alike; the analyzer
 * models no other condition key and refuses them, so that it never guesses.
 */
import { checkKeys, isObject } from '../model/_label-selector';

/** The condition key of the TLS server name. */
export const SNI_KEY = 'connection.sni';

/** One `connection.sni` condition: the server name must match one of `values` (if given) and none of `notValues`. */
export interface SniCondition {
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

/** Parses a rule's `when` list; throws naming the field for a key other than `connection.sni`. */
export function parseSniConditions(when: unknown, where: string): SniCondition[] | undefined {
  if (when === undefined || when === null) return undefined;
  if (!Array.isArray(when)) throw new Error(`${where}: expected a list of objects`);
  return when.map((c: unknown, i: number) => {
    const at = `${where}[${i}]`;
    if (!isObject(c)) throw new Error(`${at}: expected an object`);
    checkKeys(c, ['key', 'values', 'notValues'], at);
    if (c.key !== SNI_KEY) throw new Error(`${at}.key: the analyzer models only the condition ${SNI_KEY}, not ${JSON.stringify(c.key)}`);
    const strings = (field: string): string[] | undefined => {
      const v = c[field];
      if (v === undefined || v === null) return undefined;
      if (!Array.isArray(v) || v.some(s => typeof s !== 'string')) throw new Error(`${at}.${field}: expected a list of strings`);
      return v;
    };
    const values = strings('values');
    const notValues = strings('notValues');
    if (values === undefined && notValues === undefined) throw new Error(`${at}: needs values or notValues (Istio rejects it)`);
    return { values, notValues };
  });
}

/**
 * Whether the conditions hold for a connection with server name `sni`. Without a server name (a question about a pod
 * and a port only), a condition may hold for some connection: it counts as holding in an ALLOW rule and as failing in a
 * DENY rule, so that the answer is whether some connection gets through. `match` is Istio's string match.
 */
export function sniConditionsHold(
  conditions: readonly SniCondition[] | undefined, action: string, sni: string | undefined, match: (pattern: string, value: string) => boolean,
): boolean {
  if (conditions === undefined) return true;
  if (sni === undefined) return action !== 'DENY';
  return conditions.every(c => (c.values === undefined || c.values.some(p => match(p, sni)))
    && (c.notValues === undefined || !c.notValues.some(p => match(p, sni))));
}
