/**
 * What Services say about pods: the ports they send traffic to. A container serves a port whether or not it declares
 * it, so a Service's target port on the pods it selects is a port that flows can reach.
 */
import { checkStringMap, isObject } from './_label-selector';
import { manifestId } from './_manifest-pods';
import { PROTOCOLS } from './_network-policy-eval';
import type { PodInput, PodPortInput } from './reachability-input';

/** A Service's selector and target ports, read from its manifest. */
interface ServiceTargets {
  readonly namespace: string;
  readonly selector: Record<string, string>;
  /** A number, or the name of a container port, with the protocol. */
  readonly targets: Array<{ readonly target: number | string; readonly protocol: string }>;
}

function readService(m: any): ServiceTargets | undefined {
  const where = `Service ${manifestId(m)}`;
  if (m.apiVersion !== 'v1') throw new Error(`${where}: unsupported apiVersion ${JSON.stringify(m.apiVersion)} (expected v1)`);
  // No selector, or an empty one, selects no pods: the endpoints are managed by hand, or the Service is an ExternalName.
  const selector = m.spec?.selector === undefined ? {} : checkStringMap(m.spec.selector, `${where}: spec.selector`);
  if (Object.keys(selector).length === 0) return undefined;
  const ports = m.spec?.ports ?? [];
  if (!Array.isArray(ports)) throw new Error(`${where}: spec.ports: expected a list`);
  const targets = ports.map((p: unknown, i: number) => {
    const at = `${where}: spec.ports[${i}]`;
    if (!isObject(p)) throw new Error(`${at}: expected an object`);
    const protocol = p.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) throw new Error(`${at}.protocol: unsupported protocol ${JSON.stringify(protocol)}`);
    // targetPort defaults to port; a string names a container port.
    const target = p.targetPort ?? p.port;
    if (typeof target !== 'string' && !(Number.isInteger(target) && target >= 1 && target <= 65535)) {
      throw new Error(`${at}: expected a port number from 1 to 65535 or a port name, got ${JSON.stringify(target)}`);
    }
    return { target, protocol };
  });
  return { namespace: m.metadata?.namespace ?? 'default', selector, targets };
}

/**
 * The pods, each with the numeric target ports of the Services that select it added to its ports, unnamed, where it
 * does not declare them. A named target port resolves against the pod's own port names, which it already has.
 */
export function withServicePorts(manifests: any[], pods: PodInput[]): PodInput[] {
  const services = manifests.filter(m => m.kind === 'Service').map(readService).filter(s => s !== undefined) as ServiceTargets[];
  return pods.map(pod => {
    const ports: PodPortInput[] = [...pod.ports ?? []];
    for (const s of services) {
      if (s.namespace !== pod.namespace || !Object.entries(s.selector).every(([k, v]) => pod.labels?.[k] === v)) continue;
      for (const { target, protocol } of s.targets) {
        if (typeof target === 'number' && !ports.some(p => p.port === target && (p.protocol ?? 'TCP') === protocol)) {
          ports.push({ port: target, protocol });
        }
      }
    }
    return ports.length === (pod.ports ?? []).length ? pod : { ...pod, ports };
  });
}
