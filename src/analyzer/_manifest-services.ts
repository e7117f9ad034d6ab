/**
 * What Services say about pods: the ports they send traffic to. A container serves a port whether or not it declares
 * it, so a Service's target port on the pods it selects is a port that flows can reach.
 */
import { checkApiVersion, objectName } from './_manifest-pods';
import { protocolOf } from './_network-policy-eval';
import type { PodInput, PodPortInput } from './reachability-input';
import { manifestNamespace } from '../model/_constants';
import { LabelMatcher, checkStringMap, compileSelector, isObject } from '../model/_label-selector';
import { isPortNumber } from '../model/_ports';

/** A Service's selector and target ports, read from its manifest. */
interface ServiceTargets {
  readonly namespace: string;
  readonly selects: LabelMatcher;
  /** A number, or the name of a container port, with the protocol. */
  readonly targets: Array<{ readonly target: number | string; readonly protocol: string }>;
}

function readService(m: any): ServiceTargets | undefined {
  checkApiVersion(m, 'v1');
  const where = objectName(m);
  // An ExternalName Service is a DNS alias: it has no endpoints, whatever its selector.
  if (m.spec?.type === 'ExternalName') return undefined;
  // No selector, or an empty one, selects no pods: the endpoints are managed by hand.
  const selector = m.spec?.selector === undefined ? {} : checkStringMap(m.spec.selector, `${where}: spec.selector`);
  if (Object.keys(selector).length === 0) return undefined;
  const ports = m.spec?.ports ?? [];
  if (!Array.isArray(ports)) throw new Error(`${where}: spec.ports: expected a list`);
  const targets = ports.map((p: unknown, i: number) => {
    const at = `${where}: spec.ports[${i}]`;
    if (!isObject(p)) throw new Error(`${at}: expected an object`);
    const protocol = protocolOf(p.protocol, `${at}.protocol`);
    // targetPort defaults to port; a string names a container port.
    const target = p.targetPort ?? p.port;
    if (typeof target !== 'string' && !isPortNumber(target)) {
      throw new Error(`${at}: expected a port number from 1 to 65535 or a port name, got ${JSON.stringify(target)}`);
    }
    return { target, protocol };
  });
  return { namespace: manifestNamespace(m), selects: compileSelector({ matchLabels: selector }, `${where}: spec.selector`), targets };
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
      if (s.namespace !== pod.namespace || !s.selects(pod.labels ?? {})) continue;
      for (const { target, protocol } of s.targets) {
        if (typeof target === 'number' && !ports.some(p => p.port === target && (p.protocol ?? 'TCP') === protocol)) {
          ports.push({ port: target, protocol });
        }
      }
    }
    return ports.length === (pod.ports ?? []).length ? pod : { ...pod, ports };
  });
}
