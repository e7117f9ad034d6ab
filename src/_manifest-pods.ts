/**
 * Pods and namespaces described by manifests: one representative pod per workload, Namespace objects,
 * and every namespace a pod or policy lives in.
 */
import { compareStrings } from './_flow';
import { checkStringMap, isObject } from './_label-selector';
import { POD_TEMPLATES, serviceAccountOf } from './_workload-rules';
import type { NamespaceInput, PodInput, PodPortInput } from './reachability-input';

// The apiVersion the analyzer reads each workload kind at; where the pod template is comes from POD_TEMPLATES.
const WORKLOAD_API_VERSIONS: { [kind: string]: string } = {
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
  return `${manifest.metadata?.namespace ?? 'default'}/${manifest.metadata?.name}`;
}

function checkApiVersion(manifest: any, expected: string): void {
  if (manifest.apiVersion !== expected) {
    const name = manifest.kind === 'Namespace' ? manifest.metadata?.name : manifestId(manifest);
    throw new Error(`${manifest.kind} ${name}: unsupported apiVersion ${JSON.stringify(manifest.apiVersion)} (expected ${expected})`);
  }
}

/**
 * One pod per workload manifest (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
 * CronJob), named after it.
 */
export function podsFromManifests(manifests: any[]): PodInput[] {
  const pods: PodInput[] = [];
  for (const m of manifests) {
    const apiVersion = WORKLOAD_API_VERSIONS[m?.kind];
    if (!apiVersion) continue;
    checkApiVersion(m, apiVersion);
    const where = `${m.kind} ${manifestId(m)}`;
    if (typeof m.metadata?.name !== 'string') throw new Error(`${where}: metadata.name is required`);
    const template = POD_TEMPLATES[m.kind].template(m);
    if (!isObject(template) || !isObject(template.spec)) throw new Error(`${where}: no pod template spec`);
    if (m.kind === 'ReplicationController') checkRcSelector(m.spec.selector, template.metadata?.labels, where);
    const podIp = m.kind === 'Pod' ? m.status?.podIP : undefined;
    pods.push({
      namespace: m.metadata.namespace ?? 'default',
      name: m.metadata.name,
      labels: { ...template.metadata?.labels },
      serviceAccount: serviceAccountOf(template),
      ports: containerPorts(template.spec, `${where}: ${POD_TEMPLATES[m.kind].at}spec`),
      ...(podIp ? { ip: podIp } : {}),
    });
  }
  return pods;
}

/**
 * A ReplicationController's selector is a plain map that defaults to the template labels; the API server refuses one
 * that the template labels do not match, so the analyzer does too rather than guess which pods it stands for.
 */
function checkRcSelector(selector: unknown, labels: any, where: string): void {
  if (selector === undefined) return;
  for (const [key, value] of Object.entries(checkStringMap(selector, `${where}: spec.selector`))) {
    if (labels?.[key] !== value) throw new Error(`${where}: spec.selector.${key}: does not match the template labels`);
  }
}

function containerPorts(spec: any, where: string): PodPortInput[] {
  // Native sidecars (init containers that keep running) serve ports too.
  const containers = [
    ...(spec.containers ?? []).map((c: any, i: number) => [c, `containers[${i}]`]),
    ...(spec.initContainers ?? []).map((c: any, i: number) => [c, `initContainers[${i}]`]).filter(([c]: any[]) => c.restartPolicy === 'Always'),
  ];
  return containers.flatMap(([c, at]: [any, string]) => (c.ports ?? []).map((p: any, i: number) => {
    // containerPort is required: a port without a number is not an object the API server accepts.
    if (p.containerPort === undefined) throw new Error(`${where}.${at}.ports[${i}]: containerPort is required`);
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
  const used = [...pods.map(p => p.namespace), ...manifests.filter(m => POLICY_KINDS.includes(m?.kind)).map(m => m.metadata?.namespace ?? 'default')];
  for (const name of used) {
    if (!namespaces.has(name)) namespaces.set(name, { name });
  }
  return [...namespaces.values()].sort((a, b) => compareStrings(a.name, b.name));
}
