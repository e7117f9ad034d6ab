/**
 * Which ports Istio treats as opaque TCP, from the Services that select a pod: a Service port's `appProtocol`, else the
 * prefix of its name (`<protocol>[-<suffix>]`), selects the protocol (Istio's "Protocol Selection"). HTTP, HTTP/2 and
 * gRPC ports are evaluated per request; so are ports no Service names a protocol for, which Istio sniffs. On the other
 * protocols Istio sees plain TCP, where it evaluates no HTTP field.
 */
import type { EndpointPort } from './_network-policy-eval';
import { manifestNamespace } from '../model/_constants';
import { Labels, isObject } from '../model/_label-selector';

const HTTP_PROTOCOLS = ['http', 'http2', 'http_proxy', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c'];
const OPAQUE_PROTOCOLS = ['tcp', 'tls', 'https', 'mongo', 'mysql', 'redis', 'udp', 'sctp', 'kubernetes.io/ws', 'kubernetes.io/wss'];

/** Whether a Service port's protocol is one Istio treats as opaque TCP. */
export function opaqueServicePort(name: unknown, appProtocol: unknown): boolean {
  const selected = typeof appProtocol === 'string' ? appProtocol : typeof name === 'string' ? name.split('-')[0] : '';
  const protocol = selected.toLowerCase();
  return !HTTP_PROTOCOLS.includes(protocol) && OPAQUE_PROTOCOLS.includes(protocol);
}

/**
 * The pod ports that a Service selecting the pod declares opaque; one such Service is enough, as Istio may pick it.
 * Services are read leniently here: the command line checks them (`withServicePorts`), constructs emit valid ones.
 */
export function opaquePorts(services: any[], namespace: string, labels: Labels, ports: EndpointPort[]): Set<number> {
  const out = new Set<number>();
  for (const s of services) {
    const selector = s.spec?.selector;
    if (manifestNamespace(s) !== namespace || !isObject(selector) || Object.keys(selector).length === 0) continue;
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    for (const p of Array.isArray(s.spec.ports) ? s.spec.ports : []) {
      if (!isObject(p) || !opaqueServicePort(p.name, p.appProtocol)) continue;
      const target = p.targetPort ?? p.port;
      const port = typeof target === 'number' ? target : ports.find(q => q.name === target)?.port;
      if (port !== undefined) out.add(port);
    }
  }
  return out;
}
