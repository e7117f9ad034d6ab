/**
 * What the command line refuses in an object whatever its kind: settings that change what is allowed in a way the
 * analyzer does not model. Apart from it, as the synth-time proof reports them through rules (ZT413) instead.
 */
import { objectName } from './_manifest-pods';
import { isObject } from '../model/_label-selector';
import { POD_TEMPLATES } from '../model/_workload-rules';

/** The label that attaches a namespace, service or workload to an ambient waypoint proxy; `none` opts out. */
const USE_WAYPOINT = 'istio.io/use-waypoint';

/**
 * Throws, naming the object and field, for an object or pod template attached to a waypoint by label, or a pod
 * template on the host network.
 */
export function refuseUnmodelledContent(m: any): void {
  const templates: Array<[any, string]> = [[m, '']];
  const template = POD_TEMPLATES[m.kind]?.template(m);
  if (POD_TEMPLATES[m.kind]?.at && isObject(template)) templates.push([template, POD_TEMPLATES[m.kind].at]);
  for (const [t, at] of templates) {
    const waypoint = isObject(t.metadata?.labels) ? t.metadata.labels[USE_WAYPOINT] : undefined;
    if (waypoint !== undefined && waypoint !== 'none') {
      throw new Error(`${objectName(m)}: ${at}metadata.labels["${USE_WAYPOINT}"]: the analyzer does not model waypoint proxies, which change where Istio authorizes traffic and with which identity`);
    }
  }
  if (POD_TEMPLATES[m.kind] && template?.spec?.hostNetwork === true) {
    throw new Error(`${objectName(m)}: ${POD_TEMPLATES[m.kind].at}spec.hostNetwork: the analyzer does not model host-network pods, which NetworkPolicies do not isolate and the mesh does not capture`);
  }
}
