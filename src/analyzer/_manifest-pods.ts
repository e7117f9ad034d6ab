/**
 * Pods and namespaces described by manifests: one representative pod per workload, Namespace objects,
 * and every namespace a pod or policy lives in.
 */
import { gatewayPodsFromManifests } from './_gateway-pods';
import { waypointPodsFromManifests } from './_waypoint-eval';
import type { NamespaceInput, PodInput, PodPortInput } from './reachability-input';
import { manifestNamespace } from '../model/_constants';
import { checkStringMap, compileSelector, isObject } from '../model/_label-selector';
import { POD_TEMPLATES, serviceAccountOf } from '../model/_workload-rules';
import { compareStrings } from '../util/_collections';

// The apiVersion the analyzer reads each workload kind at; where the pod template is comes from POD_TEMPLATES.
export const WORKLOAD_API_VERSIONS: { [kind: string]: string } = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  ReplicationController: 'v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/** The workload kinds that pods are taken from. */
export const WORKLOAD_KINDS = Object.keys(WORKLOAD_API_VERSIONS);

/** Kinds whose objects live in a namespace that the analysis must know. */
const POLICY_KINDS = ['NetworkPolicy', 'PeerAuthentication', 'AuthorizationPolicy'];

/** `namespace/name` of a manifest (namespace defaults to `default`). */
export function manifestId(manifest: any): string {
  return `${manifestNamespace(manifest)}/${manifest.metadata?.name}`;
}

/**
 * The object's name for messages: `Kind namespace/name`, the namespace defaulting to `default` for the kinds the
 * analysis reads in a namespace, or `Kind name` for a cluster-wide object.
 */
export function objectName(m: any): string {
  const namespaced = m.metadata?.namespace !== undefined || WORKLOAD_KINDS.includes(m.kind) || ['Service', ...POLICY_KINDS].includes(m.kind);
  return `${m.kind} ${namespaced ? manifestId(m) : m.metadata?.name}`;
}

/** Throws, naming the object, unless its apiVersion is the one the analyzer reads its kind at. */
export function checkApiVersion(manifest: any, expected: string): void {
  if (manifest.apiVersion !== expected) {
    throw new Error(`${objectName(manifest)}: unsupported apiVersion ${JSON.stringify(manifest.apiVersion)} (expected ${expected})`);
  }
}

/**
 * One pod per workload manifest (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
 * CronJob), named after it, and one per Gateway that Istio deploys pods for, named `<gateway>-istio`.
 */
export function podsFromManifests(manifests: any[]): PodInput[] {
  const pods: PodInput[] = [];
  for (const m of manifests) {
    const apiVersion = WORKLOAD_API_VERSIONS[m?.kind];
    if (!apiVersion) continue;
    checkApiVersion(m, apiVersion);
    const where = objectName(m);
    if (typeof m.metadata?.name !== 'string') throw new Error(`${where}: metadata.name is required`);
    const template = POD_TEMPLATES[m.kind].template(m);
    if (!isObject(template) || !isObject(template.spec)) throw new Error(`${where}: no pod template spec`);
    if (m.kind === 'ReplicationController') checkRcSelector(m.spec.selector, template.metadata?.labels, where);
    const podIp = m.kind === 'Pod' ? m.status?.podIP : undefined;
    pods.push({
      namespace: manifestNamespace(m),
      name: m.metadata.name,
      labels: { ...template.metadata?.labels },
      serviceAccount: serviceAccountOf(template),
      ports: containerPorts(template.spec, `${where}: ${POD_TEMPLATES[m.kind].at}spec`),
      ...(podIp ? { ip: podIp } : {}),
    });
  }
  return [...pods, ...gatewayPodsFromManifests(manifests, pods), ...waypointPodsFromManifests(manifests, pods)];
}

/**
 * A ReplicationController's selector is a plain map that defaults to the template labels when empty; the API server
 * refuses one that the template labels do not match, or none at all, so the analyzer does too rather than guess which
 * pods it stands for.
 */
function checkRcSelector(selector: unknown, labels: any, where: string): void {
  const map = selector === undefined ? {} : checkStringMap(selector, `${where}: spec.selector`);
  if (Object.keys(map).length === 0) {
    if (Object.keys(labels ?? {}).length === 0) throw new Error(`${where}: spec.selector: required, and the template has no labels to default it to`);
    return;
  }
  if (!compileSelector({ matchLabels: map }, `${where}: spec.selector`)(labels ?? {})) {
    throw new Error(`${where}: spec.selector: does not match the template labels`);
  }
}

/** The items of a list field, each with its name for messages; throws for a list that is not one or a null item. */
function listItems(list: unknown, where: string): Array<[any, string]> {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${where}: expected a list`);
  return list.map((item, i) => {
    if (!isObject(item)) throw new Error(`${where}[${i}]: expected an object`);
    return [item, `${where}[${i}]`];
  });
}

function containerPorts(spec: any, where: string): PodPortInput[] {
  // Native sidecars (init containers that keep running) serve ports too.
  const containers = [
    ...listItems(spec.containers, `${where}.containers`),
    ...listItems(spec.initContainers, `${where}.initContainers`).filter(([c]) => c.restartPolicy === 'Always'),
  ];
  return containers.flatMap(([c, at]) => listItems(c.ports, `${at}.ports`).map(([p, pat]) => {
    // containerPort is required: a port without a number is not an object the API server accepts.
    if (p.containerPort === undefined) throw new Error(`${pat}: containerPort is required`);
    return { port: p.containerPort, protocol: p.protocol ?? 'TCP', ...(p.name ? { name: p.name } : {}) };
  }));
}

/** Namespace objects plus every namespace a pod or policy lives in (with no labels), sorted by name. */
export function namespacesFromManifests(manifests: any[], pods: PodInput[]): NamespaceInput[] {
  const namespaces = new Map<string, NamespaceInput>();
  for (const m of manifests) {
    if (m?.kind !== 'Namespace') continue;
    checkApiVersion(m, 'v1');
    namespaces.set(m.metadata?.name, { name: m.metadata?.name, labels: { ...m.metadata?.labels } });
  }
  const used = [...pods.map(p => p.namespace), ...manifests.filter(m => POLICY_KINDS.includes(m?.kind)).map(manifestNamespace)];
  for (const name of used) {
    if (!namespaces.has(name)) namespaces.set(name, { name });
  }
  return [...namespaces.values()].sort((a, b) => compareStrings(a.name, b.name));
}
