// Google's Online Boutique (microservices-demo) as a zero-trust blueprint. Eleven services in one namespace, each
// calling only what its code calls; shoppers enter through an Istio ingress gateway on the Gateway API, routed to the
// frontend alone; the payment service reaches its card processor's API, by hostname, only through an egress gateway;
// Prometheus, in a namespace the app does not manage, scrapes every pod's metrics port and nothing else; the load
// generator is a client without ports.
import { App, Chart } from 'cdk8s';
import {
  EgressGateway, ExternalPeer, GatewayListener, IngressGateway, MeshedService, PlatformPeer, RoutePath, ServicePort, ZeroTrustNamespace,
  ZeroTrustRules,
} from '../src';

const IMAGE = (name: string) => `us-central1-docker.pkg.dev/google-samples/microservices-demo/${name}:v0.10.2`;

export function onlineBoutique(app: App): void {
  const chart = new Chart(app, 'online-boutique');
  const shop = new ZeroTrustNamespace(chart, 'boutique', { name: 'boutique' });
  const edge = new ZeroTrustNamespace(chart, 'edge', { name: 'boutique-edge' });
  const service = (name: string, ports: ServicePort[] | undefined, image = IMAGE(name)) =>
    new MeshedService(chart, name, { namespace: shop, name, ports, image });

  const frontend = service('frontend', [ServicePort.http(8080)]);
  const ad = service('adservice', [ServicePort.grpc(9555)]);
  const cart = service('cartservice', [ServicePort.grpc(7070)]);
  const checkout = service('checkoutservice', [ServicePort.grpc(5050)]);
  const currency = service('currencyservice', [ServicePort.grpc(7000)]);
  const email = service('emailservice', [ServicePort.grpc(8080)]);
  const payment = service('paymentservice', [ServicePort.grpc(50051)]);
  const catalog = service('productcatalogservice', [ServicePort.grpc(3550)]);
  const recommendation = service('recommendationservice', [ServicePort.grpc(8080)]);
  const shipping = service('shippingservice', [ServicePort.grpc(50051)]);
  const redis = service('redis-cart', [ServicePort.tcp(6379)], 'redis:7.2-alpine');
  const load = service('loadgenerator', undefined);

  for (const target of [ad, cart, checkout, currency, catalog, recommendation, shipping]) frontend.allowTo(target);
  for (const target of [cart, currency, email, payment, catalog, shipping]) checkout.allowTo(target);
  recommendation.allowTo(catalog);
  cart.allowTo(redis);
  load.allowTo(frontend);

  // Shoppers reach the frontend, and only it, through the gateway.
  const gateway = new IngressGateway(chart, 'gateway', {
    namespace: edge,
    name: 'storefront',
    listeners: [GatewayListener.https({ hostname: 'shop.example.com', certificates: ['storefront-tls'] })],
    sources: [ExternalPeer.anyAddressUnsafe()],
  });
  ZeroTrustRules.suppress(gateway, 'ZT403', 'the storefront is public; the CDN in front of the load balancer filters abuse');
  gateway.route(frontend, { port: 8080, paths: [RoutePath.prefix('/')] });

  // The payment service calls its card processor by name, through the egress gateway: its own NetworkPolicy reaches only
  // the gateway's pods, and the gateway admits its principal for that host (SNI) alone.
  const egress = new EgressGateway(chart, 'egress', { namespace: shop, name: 'egress' });
  ZeroTrustRules.suppress(egress, 'ZT403', 'the processor publishes no fixed ranges; the gateway admits only api.stripe.com, by SNI, for paymentservice');
  payment.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.anyAddressUnsafe() }), { ports: [443] });

  // Prometheus scrapes Istio's merged metrics port (15020) of every pod, never an app port.
  const prometheus = PlatformPeer.prometheus({
    namespace: 'monitoring', serviceAccount: 'prometheus', podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  });
  for (const s of [frontend, ad, cart, checkout, currency, email, payment, catalog, recommendation, shipping, redis, load]) prometheus.allowTo(s);
}
