/**
 * Which kinds of manifest the command line reads, ignores or refuses. A kind is ignored only when it cannot change
 * which connections NetworkPolicies and Istio allow between pods; a kind that can, and that the analyzer does not
 * model, is refused, so that the flows it prints are never a guess.
 */
import { compareStrings } from './_flow';
import { WORKLOAD_KINDS, manifestId } from './_manifest-pods';
import { refuseOverridingKinds } from './reachability';

/** The kinds the analysis reads. */
const READ_KINDS = new Set([...WORKLOAD_KINDS, 'Namespace', 'Service', 'NetworkPolicy', 'PeerAuthentication', 'AuthorizationPolicy']);

/**
 * Istio kinds that route, describe or observe traffic but never decide whether a connection is allowed.
 * RequestAuthentication alone refuses only requests with an invalid token and admits those without one; requiring a
 * token takes an AuthorizationPolicy, which the analyzer reads.
 */
const HARMLESS_ISTIO_KINDS = [
  'networking.istio.io/Gateway', 'networking.istio.io/VirtualService', 'networking.istio.io/ServiceEntry',
  'networking.istio.io/WorkloadEntry', 'networking.istio.io/WorkloadGroup', 'networking.istio.io/ProxyConfig',
  'networking.istio.io/DestinationRule', 'security.istio.io/RequestAuthentication', 'telemetry.istio.io/Telemetry',
];

/** Other meshes' authorization kinds (`group/kind`, `group/*` for every kind of the group): they narrow what is allowed. */
const OTHER_MESH_POLICIES = ['policy.linkerd.io/*', 'kuma.io/MeshTrafficPermission', 'kuma.io/TrafficPermission', 'consul.hashicorp.com/ServiceIntentions'];

/** The object's name for messages: `Kind namespace/name`, or `Kind name` for a cluster-wide object. */
function objectName(m: any): string {
  return `${m.kind} ${m.metadata?.namespace === undefined ? m.metadata?.name : manifestId(m)}`;
}

/**
 * Whether the analysis reads the object (true) or may ignore it (false); throws for an object that can change what
 * is allowed but that the analyzer does not model.
 */
export function isReadKind(m: any): boolean {
  refuseOverridingKinds(m);
  if (READ_KINDS.has(m.kind)) return true;
  const group = m.apiVersion.split('/').length > 1 ? m.apiVersion.split('/')[0] : '';
  if (group === 'gateway.networking.k8s.io' && m.kind === 'Gateway' && m.spec?.gatewayClassName === 'istio-waypoint') {
    throw new Error(`${objectName(m)}: the analyzer does not model waypoint proxies, which change where Istio authorizes traffic and with which identity`);
  }
  if (OTHER_MESH_POLICIES.includes(`${group}/*`) || OTHER_MESH_POLICIES.includes(`${group}/${m.kind}`)) {
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind} (${m.apiVersion}), another mesh's authorization, which can change what is allowed`);
  }
  if (!group.endsWith('istio.io')) return false;
  if (!HARMLESS_ISTIO_KINDS.includes(`${group}/${m.kind}`)) {
    // Sidecar, WasmPlugin, the removed rbac.istio.io and authentication.istio.io kinds, and kinds added later.
    throw new Error(`${objectName(m)}: the analyzer does not model ${m.kind} (${m.apiVersion}), which can change what Istio allows`);
  }
  if (m.kind === 'DestinationRule') checkDestinationRuleTls(m);
  return false;
}

/**
 * Throws for a DestinationRule TLS mode other than ISTIO_MUTUAL: with another one, clients stop presenting their mesh
 * identity to the servers it names, which STRICT mTLS and principal rules then refuse.
 */
function checkDestinationRuleTls(m: any): void {
  const policies: Array<[any, string]> = [[m.spec?.trafficPolicy, 'spec.trafficPolicy']];
  (m.spec?.subsets ?? []).forEach((s: any, i: number) => policies.push([s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`]));
  for (const [policy, at] of policies) {
    const settings: Array<[any, string]> = [[policy?.tls, `${at}.tls`]];
    (policy?.portLevelSettings ?? []).forEach((p: any, i: number) => settings.push([p?.tls, `${at}.portLevelSettings[${i}].tls`]));
    for (const [tls, where] of settings) {
      if (tls?.mode !== undefined && tls.mode !== 'ISTIO_MUTUAL') {
        throw new Error(`${objectName(m)}: ${where}.mode: the analyzer models only ISTIO_MUTUAL, not ${JSON.stringify(tls.mode)}, which changes whether clients present their mesh identity`);
      }
    }
  }
}

/**
 * The line that says which objects were ignored, one count per kind, sorted by kind; undefined when none was.
 * Throws for an object that cannot be ignored.
 */
export function ignoredKindsNote(manifests: any[]): string | undefined {
  const counts = new Map<string, number>();
  for (const m of manifests) {
    if (!isReadKind(m)) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const kinds = [...counts.keys()].sort(compareStrings).map(kind => `${kind} (${counts.get(kind)})`);
  return `ignored ${total} object${total === 1 ? '' : 's'} of kinds it does not model: ${kinds.join(', ')}`;
}
