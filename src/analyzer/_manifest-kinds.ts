/**
 * Which kinds of manifest the command line reads, ignores or refuses. A kind is ignored only when it cannot change
 * which connections NetworkPolicies and Istio allow between pods; a kind that can, and that the analyzer does not
 * model, is refused, so that the flows it prints are never a guess.
 */
import { isIstioGateway, isReadGatewayKind } from './_gateway-pods';
import { WORKLOAD_API_VERSIONS, objectName } from './_manifest-pods';
import { refuseUnmodelledContent } from './_manifest-unmodelled';
import { isWaypointGateway } from './_waypoint-eval';
import { refuseOverridingKinds } from './reachability';
import { compareStrings } from '../util/_collections';

/** The API group of an apiVersion (`''` for the core group). */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/**
 * The kinds the analysis reads, as `group/kind`. The removed `extensions` versions of the workloads and NetworkPolicy
 * are read too, so that their readers refuse their apiVersion rather than ignore them.
 */
const READ_KINDS = new Set([
  ...Object.entries(WORKLOAD_API_VERSIONS).map(([kind, apiVersion]) => `${groupOf(apiVersion)}/${kind}`),
  '/Namespace', '/Service', 'networking.k8s.io/NetworkPolicy', 'security.istio.io/PeerAuthentication', 'security.istio.io/AuthorizationPolicy',
  'security.istio.io/RequestAuthentication',
  'extensions/Deployment', 'extensions/DaemonSet', 'extensions/ReplicaSet', 'extensions/NetworkPolicy',
]);

/** The kinds egress routes are read from (`_egress-routes`). */
const EGRESS_ROUTE_KINDS = ['networking.istio.io/ServiceEntry', 'gateway.networking.k8s.io/TLSRoute'];

/** Istio kinds that route, describe or observe traffic but never decide whether a connection is allowed. */
const HARMLESS_ISTIO_KINDS = [
  'networking.istio.io/Gateway', 'networking.istio.io/VirtualService',
  'networking.istio.io/WorkloadEntry', 'networking.istio.io/WorkloadGroup', 'networking.istio.io/ProxyConfig',
  'networking.istio.io/DestinationRule', 'telemetry.istio.io/Telemetry',
];

/**
 * Other meshes' authorization kinds (`group/kind`, `group/*` for every kind of the group): they narrow what is
 * allowed. SMI's TrafficTarget is the access policy of the meshes that implement SMI.
 */
const OTHER_MESH_POLICIES = [
  'policy.linkerd.io/*', 'kuma.io/MeshTrafficPermission', 'kuma.io/TrafficPermission', 'consul.hashicorp.com/ServiceIntentions', 'access.smi-spec.io/*',
];

/** What the analyzer assumes of the mesh configuration, which the refused objects below can change. */
const MESH_CONFIG = 'the mesh configuration, which can change the trust domain, the root namespace and auto mTLS, which the analyzer assumes are the defaults';

/**
 * Whether the analysis reads the object (true) or may ignore it (false); throws for an object that can change what
 * is allowed but that the analyzer does not model.
 */
export function isReadKind(m: any): boolean {
  refuseOverridingKinds(m);
  refuseUnmodelledContent(m);
  const group = groupOf(m.apiVersion);
  if (OTHER_MESH_POLICIES.includes(`${group}/*`) || OTHER_MESH_POLICIES.includes(`${group}/${m.kind}`)) {
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind} (${m.apiVersion}), another mesh's authorization, which can change what is allowed`);
  }
  if (READ_KINDS.has(`${group}/${m.kind}`)) return true;
  // Istio deploys the pods of a Gateway of its class: the analysis reads them from it. ServiceEntries and TLSRoutes
  // give the hosts that clients reach through an egress gateway (Reachability.hostFlows).
  // A waypoint's Gateway gives its pod (_waypoint-eval).
  if (isIstioGateway(m) || isWaypointGateway(m) || EGRESS_ROUTE_KINDS.includes(`${group}/${m.kind}`)) return true;
  if (group === 'gateway.networking.k8s.io') return isReadGatewayKind(m);
  // Istio reads its mesh configuration from the `mesh` key of the ConfigMap `istio` (`istio-<revision>` per revision).
  if (group === '' && m.kind === 'ConfigMap' && /^istio(-.+)?$/.test(m.metadata?.name ?? '') && m.data?.mesh !== undefined) {
    throw new Error(`${objectName(m)}: data.mesh: the analyzer does not model ${MESH_CONFIG}`);
  }
  if (group === 'sailoperator.io') {
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind} (${m.apiVersion}), which installs Istio and sets ${MESH_CONFIG}`);
  }
  if (group !== 'istio.io' && !group.endsWith('.istio.io')) return false;
  if (!HARMLESS_ISTIO_KINDS.includes(`${group}/${m.kind}`)) {
    // Sidecar, WasmPlugin, IstioOperator, the removed rbac.istio.io and authentication.istio.io kinds, and kinds added later.
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind} (${m.apiVersion}), which can change what Istio allows`);
  }
  if (m.kind === 'DestinationRule') checkDestinationRuleTls(m);
  return false;
}

/**
 * Throws for DestinationRule TLS settings whose mode is not ISTIO_MUTUAL (an absent mode is DISABLE): with another
 * one, clients stop presenting their mesh identity to the servers it names, which STRICT mTLS and principal rules then
 * refuse.
 */
function checkDestinationRuleTls(m: any): void {
  const policies: Array<[any, string]> = [[m.spec?.trafficPolicy, 'spec.trafficPolicy']];
  (m.spec?.subsets ?? []).forEach((s: any, i: number) => policies.push([s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`]));
  for (const [policy, at] of policies) {
    const settings: Array<[any, string]> = [[policy?.tls, `${at}.tls`]];
    (policy?.portLevelSettings ?? []).forEach((p: any, i: number) => settings.push([p?.tls, `${at}.portLevelSettings[${i}].tls`]));
    for (const [tls, where] of settings) {
      // A null tls or mode is absent, as the API server stores it.
      if ((tls ?? undefined) === undefined || tls.mode === 'ISTIO_MUTUAL') continue;
      const mode = (tls.mode ?? undefined) === undefined ? 'DISABLE, the default when mode is not set' : JSON.stringify(tls.mode);
      throw new Error(`${objectName(m)}: ${where}.mode: the analyzer models only ISTIO_MUTUAL, not ${mode}, which changes whether clients present their mesh identity`);
    }
  }
}

/**
 * The objects the analysis reads, and the line that says which ones were ignored, one count per kind, sorted by
 * kind (undefined when none was). Throws for an object that cannot be ignored.
 */
export function readObjects(manifests: any[]): { read: any[]; ignored?: string } {
  const counts = new Map<string, number>();
  const read = manifests.filter(m => {
    if (isReadKind(m)) return true;
    counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
    return false;
  });
  if (counts.size === 0) return { read };
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const kinds = [...counts.keys()].sort(compareStrings).map(kind => `${kind} (${counts.get(kind)})`);
  return { read, ignored: `ignored ${total} object${total === 1 ? '' : 's'} of kinds it does not model: ${kinds.join(', ')}` };
}
