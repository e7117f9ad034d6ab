/**
 * What the command line refuses in an object whatever its kind: settings that change what is allowed in a way the
 * analyzer does not model. Apart from it, as the synth-time proof reports them through rules (ZT413) instead.
 */
import { objectName } from './_manifest-pods';
import { USE_WAYPOINT_LABEL, serviceOnlyWaypointLabel } from './_waypoint-eval';
import { isObject } from '../model/_label-selector';
import { POD_TEMPLATES } from '../model/_workload-rules';

/**
 * Throws, naming the object and field, for an object or pod template attached to a waypoint by label, or sending
 * ingress gateways' traffic through one (the analyzer models both labels on a Service only, `_waypoint-eval`), or a
 * pod template on the host network.
 */
export function refuseUnmodelledContent(m: any): void {
  const templates: Array<[any, string]> = [[m, '']];
  const template = POD_TEMPLATES[m.kind]?.template(m);
  if (POD_TEMPLATES[m.kind]?.at && isObject(template)) templates.push([template, POD_TEMPLATES[m.kind].at]);
  for (const [t, at] of templates) {
    const label = serviceOnlyWaypointLabel(t.metadata?.labels);
    if (label === undefined || (at === '' && m.apiVersion === 'v1' && m.kind === 'Service')) continue;
    throw new Error(`${objectName(m)}: ${at}metadata.labels["${label}"]: ${label === USE_WAYPOINT_LABEL
      ? 'the analyzer models waypoints for Services only (a label on the Service), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity'
      : 'the analyzer models it on Services only, not on namespaces or workloads, where it sends the gateways\' traffic to many Services through their waypoints'}`);
  }
  if (POD_TEMPLATES[m.kind] && template?.spec?.hostNetwork === true) {
    throw new Error(`${objectName(m)}: ${POD_TEMPLATES[m.kind].at}spec.hostNetwork: the analyzer does not model host-network pods, which NetworkPolicies do not isolate and the mesh does not capture`);
  }
}
