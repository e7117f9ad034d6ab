// The targetRefs of an AuthorizationPolicy or a RequestAuthentication: the Services whose waypoint applies it (_waypoint-eval).
import { checkKeys, isObject } from '../model/_label-selector';

/**
 * The Services a policy's targetRefs name (undefined without targetRefs); throws for a target the
 * analyzer does not model (a Gateway, a GatewayClass, a ServiceEntry) and for targetRefs beside a selector.
 */
export function parseTargetRefs(spec: Record<string, any>, where: string): string[] | undefined {
  if (spec.targetRef !== undefined) throw new Error(`${where}: spec.targetRef: the analyzer models only spec.targetRefs to Services`);
  if (spec.targetRefs === undefined) return undefined;
  if (!Array.isArray(spec.targetRefs) || spec.targetRefs.length === 0) throw new Error(`${where}: spec.targetRefs: expected a non-empty list`);
  if (spec.selector !== undefined) throw new Error(`${where}: spec.targetRefs and spec.selector are exclusive (Istio rejects both)`);
  return spec.targetRefs.map((t: unknown, i: number) => {
    const at = `${where}: spec.targetRefs[${i}]`;
    if (!isObject(t)) throw new Error(`${at}: expected an object`);
    checkKeys(t, ['group', 'kind', 'name', 'namespace'], at);
    if (t.kind !== 'Service' || (t.group ?? '') !== '') {
      throw new Error(`${at}: the analyzer models only targetRefs to a Service (group ""), not ${JSON.stringify(`${t.group ?? ''}/${t.kind}`)}`);
    }
    if (t.namespace !== undefined) throw new Error(`${at}.namespace: a policy targets Services of its own namespace only`);
    if (typeof t.name !== 'string' || t.name === '') throw new Error(`${at}.name: required`);
    return t.name;
  });
}
