// The same topology expressed with this library and with cdk8s-plus-27's own network policy API.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshedService, MeshMode, ServicePort, ZeroTrustNamespace } from '../src';
import { Topology } from './topology';

const portOf = (port: number) => port === 9090 ? ServicePort.grpc(port) : ServicePort.http(port);
const imageOf = (service: string) => `registry.example.com/${service}:1.0.0`;

/**
 * One chart per namespace: a ZeroTrustNamespace, a MeshedService with a Deployment per service, and
 * `allowTo` per flow.
 */
export function buildOurs(app: App, topology: Topology): void {
  const services = topology.namespaces.map(ns => {
    const chart = new Chart(app, ns.name);
    const namespace = new ZeroTrustNamespace(chart, 'namespace', { name: ns.name, mesh: ns.ambient ? MeshMode.AMBIENT : MeshMode.SIDECAR });
    return ns.services.map(s => new MeshedService(chart, s.name, {
      namespace, name: s.name, ports: s.ports.map(portOf), image: imageOf(s.name),
    }));
  });
  for (const flow of topology.flows) {
    services[flow.from.ns][flow.from.svc].allowTo(services[flow.to.ns][flow.to.svc], { ports: flow.ports });
  }
}

/**
 * One chart per namespace: a Namespace, an isolated Deployment per service (deny-all NetworkPolicy), and
 * `connections.allowTo` per flow, which writes an egress policy on the client and an ingress policy on the server.
 * A Deployment with a namespace selects its pods by namespace name too, so cross-namespace peers need nothing more.
 */
export function buildCdk8sPlus(app: App, topology: Topology): void {
  const deployments = topology.namespaces.map(ns => {
    const chart = new Chart(app, ns.name);
    new kplus.Namespace(chart, 'namespace', { metadata: { name: ns.name } });
    return ns.services.map(s => new kplus.Deployment(chart, s.name, {
      metadata: { name: s.name, namespace: ns.name },
      containers: [{ image: imageOf(s.name), ports: s.ports.map(p => ({ number: p, name: portOf(p).name })) }],
      isolate: true,
    }));
  });
  for (const flow of topology.flows) {
    deployments[flow.from.ns][flow.from.svc].connections.allowTo(deployments[flow.to.ns][flow.to.svc], {
      ports: flow.ports.map(p => kplus.NetworkPolicyPort.tcp(p)),
    });
  }
}
