// Builds an egress gateway's objects: per host a ServiceEntry and two TLSRoutes (clients to the gateway, the gateway to
// the host), the Gateway's TLS passthrough listeners, and the AuthorizationPolicy that admits clients per server name.
import type { ExternalHost } from './external-peer';
import { WORKLOAD_LABEL } from '../model/_constants';
import { GatewayListenerSpec, GatewaySpec, ServiceEntrySpec, TlsRouteSpec } from '../model/_egress-spec';
import { FlowEnd } from '../model/_flow';
import { GATEWAY_API, ISTIO_GATEWAY_CLASS, istioGatewayDeploymentName } from '../model/_gateway-api-spec';
import { AuthorizationPolicySpec, ISTIO_NETWORKING_API } from '../model/_istio-spec';
import { Manifest } from '../model/_network-policy-spec';
import { compareStrings } from '../util/_collections';

/** A host routed through a gateway and the clients declared for it, by principal. */
export interface EgressHostRoute {
  readonly host: ExternalHost;
  readonly clients: Map<string, FlowEnd>;
}

/** The Gateway listener of a host: TLS passthrough on its port, routed by its server name. */
export function listenerName(host: ExternalHost): string {
  return `tls-${host.port}.${host.hostname}`;
}

/** An object of a host, with the id of the ApiObject that emits it. */
export interface HostObject {
  readonly id: string;
  readonly manifest: Manifest<ServiceEntrySpec | TlsRouteSpec>;
}

/**
 * The host's ServiceEntry, exported to the namespace only, and its two routes, as in Istio's egress gateway task:
 * one parented to the ServiceEntry sends the clients' connections to the gateway's Service, the other, attached to
 * the host's listener, sends them on to the host. References spell out their group and kind, which the API server
 * would default, so that the CEL rules read them as written.
 */
export function hostObjects(gateway: string, namespace: string, host: ExternalHost): HostObject[] {
  const name = `${gateway}.${host.hostname}`;
  const entry: ServiceEntrySpec = {
    hosts: [host.hostname],
    ports: [{ number: host.port, name: `tls-${host.port}`, protocol: 'TLS' }],
    location: 'MESH_EXTERNAL',
    resolution: 'DNS',
    exportTo: ['.'],
  };
  const toGateway: TlsRouteSpec = {
    parentRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name }],
    hostnames: [host.hostname],
    rules: [{ backendRefs: [{ group: '', kind: 'Service', name: istioGatewayDeploymentName(gateway), port: host.port }] }],
  };
  const toHost: TlsRouteSpec = {
    parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway, sectionName: listenerName(host) }],
    hostnames: [host.hostname],
    rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: host.hostname, port: host.port }] }],
  };
  return [
    { id: `ServiceEntry-${host.hostname}`, manifest: { apiVersion: ISTIO_NETWORKING_API, kind: 'ServiceEntry', metadata: { name, namespace }, spec: entry } },
    { id: `ToGateway-${host.hostname}`, manifest: { apiVersion: GATEWAY_API, kind: 'TLSRoute', metadata: { name: `${gateway}-mesh.${host.hostname}`, namespace }, spec: toGateway } },
    { id: `ToHost-${host.hostname}`, manifest: { apiVersion: GATEWAY_API, kind: 'TLSRoute', metadata: { name: `${gateway}-out.${host.hostname}`, namespace }, spec: toHost } },
  ];
}

/** The Gateway: Istio's class, the workload label on its pods, one TLS passthrough listener per host. */
export function renderGatewaySpec(selector: Record<string, string>, routes: EgressHostRoute[]): GatewaySpec {
  return {
    gatewayClassName: ISTIO_GATEWAY_CLASS,
    infrastructure: { labels: { [WORKLOAD_LABEL]: selector[WORKLOAD_LABEL] } },
    listeners: routes.map(({ host }): GatewayListenerSpec => ({
      name: listenerName(host),
      hostname: host.hostname,
      port: host.port,
      protocol: 'TLS',
      tls: { mode: 'Passthrough' },
      allowedRoutes: { namespaces: { from: 'Same' } },
    })),
  };
}

/**
 * The gateway's AuthorizationPolicy: one rule per host, admitting the principals declared for it on its port when the
 * TLS server name is the host. `to.operation.hosts` would not do: it matches HTTP requests only, and the gateway
 * passes TLS through, so Istio would ignore the rule; `connection.sni` applies to TCP and HTTP.
 */
export function renderEgressAuthorizationPolicy(selector: Record<string, string>, routes: EgressHostRoute[]): AuthorizationPolicySpec {
  return {
    selector: { matchLabels: { ...selector } },
    action: 'ALLOW',
    rules: routes.map(({ host, clients }) => ({
      from: [{ source: { principals: [...clients.keys()].sort(compareStrings) } }],
      to: [{ operation: { ports: [String(host.port)] } }],
      when: [{ key: 'connection.sni', values: [host.hostname] }],
    })),
  };
}
