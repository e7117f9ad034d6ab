/**
 * Pods and namespaces described by manifests: one representative pod per workload, Namespace objects,
 * and every namespace a pod or policy lives in.
 */
import { compareStrings } from './_flow';
import { isObject } from './_label-selector';
import { POD_TEMPLATES, serviceAccountOf } from './_workload-rules';
import type { NamespaceInput, PodInput, PodPortInput } from './reachability-input';

// The apiVersion the analyzer reads each workload kind at; where the pod template is comes from POD_TEMPLATES.
const WORKLOAD_API_VERSIONS: { [kind: string]: string } = {
  Pod: 'v1', Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1',
};

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

/** One pod per workload manifest (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), named after it. */
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
    const podIp = m.kind === 'Pod' ? m.status?.podIP : undefined;
    pods.push({
      namespace: m.metadata.namespace ?? 'default',
      name: m.metadata.name,
      labels: { ...template.metadata?.labels },
      serviceAccount: serviceAccountOf(template),
      ports: containerPorts(template.spec),
      ...(podIp ? { ip: podIp } : {}),
    });
  }
  return pods;
}

function containerPorts(spec: any): PodPortInput[] {
  // Native sidecars (init containers that keep running) serve ports too.
  const containers = [...spec.containers ?? [], ...(spec.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always')];
  return containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => ({
    port: p.containerPort,
    protocol: p.protocol ?? 'TCP',
    ...(p.name ? { name: p.name } : {}),
  })));
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
