// A shop's order system in Istio's ambient mode (ztunnel and a waypoint, no sidecars), with the platform around it.
// The cluster's ingress-nginx, enrolled in ambient mode, calls the storefront and nothing else. The storefront may only
// GET and POST orders under /orders/, and only with a signed-in shopper's token (end-user JWT): HTTP rules the
// namespace's waypoint enforces, while ztunnel admits the orders API's traffic from the waypoint alone. The orders
// operator, a client without ports, reaches the Kubernetes API server and nothing else. Prometheus, also in ambient
// mode, scrapes each service's metrics port and no app port.
import { App, Chart } from 'cdk8s';
import { MeshMode, MeshedService, PlatformPeer, ServicePort, ZeroTrustNamespace } from '../src';

const IMAGE = (name: string) => `ghcr.io/example/${name}:2.4.0`;

export function ambientOrders(app: App): void {
  const chart = new Chart(app, 'ambient-orders');
  const shop = new ZeroTrustNamespace(chart, 'orders', { name: 'orders', mesh: MeshMode.AMBIENT });
  const service = (name: string, ports?: ServicePort[]) =>
    new MeshedService(chart, name, { namespace: shop, name, ports, image: IMAGE(name), metricsPort: ports ? 9102 : undefined });

  const storefront = service('storefront', [ServicePort.http(8080)]);
  const orders = service('orders-api', [ServicePort.http(8080)]);
  const operator = service('orders-operator');

  // Every request to the orders API carries a shopper's token, which the waypoint validates.
  orders.requireJwt({ issuer: 'https://login.example.com', jwksUri: 'https://login.example.com/.well-known/jwks.json', audiences: ['orders'] });
  storefront.allowTo(orders, { http: { methods: ['GET', 'POST'], paths: ['/orders/*'] } });

  const ingress = PlatformPeer.ingressController({
    namespace: 'ingress-nginx',
    serviceAccount: 'ingress-nginx',
    mesh: MeshMode.AMBIENT,
    podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  });
  ingress.allowTo(storefront);

  // The operator watches its custom resources: the API server's endpoints, on the port NetworkPolicy sees.
  PlatformPeer.kubernetesApiServer({ cidrs: ['10.0.0.10/32', '10.0.0.11/32'], port: 6443 }).allowFrom(operator);

  const prometheus = PlatformPeer.prometheus({
    namespace: 'monitoring', serviceAccount: 'prometheus', mesh: MeshMode.AMBIENT, podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  });
  for (const s of [storefront, orders]) prometheus.allowTo(s);
}
