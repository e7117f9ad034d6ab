// Rules checked when an IngressGateway or a route is declared (ZT12x routes, ZT32x listeners); their checks throw in
// constructs/, where the bad input is declared.
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** Rules checked when an IngressGateway, a listener or a route is declared. */
export const GATEWAY_RULES: Rule[] = [
  {
    id: 'ZT120',
    title: 'Route path that Istio would not match safely',
    severity: RuleSeverity.ERROR,
    rationale: 'A path must start with `/` and hold no `..`, `//`, `%`, `?`, `#`, `*`, space or control character: Istio and Envoy normalise or strip such paths before matching, so what the route reads and what it matches could differ.',
    suppressible: false,
  },
  {
    id: 'ZT121',
    title: 'Invalid gateway or route hostname',
    severity: RuleSeverity.ERROR,
    rationale: 'Hostnames are lowercase DNS names, optionally starting with `*.`, never IP addresses; a route hostname outside its listener\'s hostname never attaches there, so the route would not work as declared.',
    suppressible: false,
  },
  {
    id: 'ZT122',
    title: 'Service port routed twice with different options',
    severity: RuleSeverity.ERROR,
    rationale: 'A gateway has one route per service port; a second declaration with other hostnames, paths or listeners would silently replace or widen the first. The same declaration again is harmless.',
    suppressible: false,
  },
  {
    id: 'ZT123',
    title: 'Ingress gateway outside the mesh',
    severity: RuleSeverity.ERROR,
    rationale: 'The gateway calls the services it routes to with its mesh identity (`<name>-istio`), which their STRICT mTLS and AuthorizationPolicies require.',
    suppressible: false,
  },
  {
    id: 'ZT124',
    title: 'Route to a port that its route kind cannot reach',
    severity: RuleSeverity.ERROR,
    rationale: 'HTTPRoutes reach HTTP ports and GRPCRoutes gRPC ports; a TCP port cannot be routed by either, and a GRPCRoute matches methods, not paths.',
    suppressible: false,
  },
  {
    id: 'ZT125',
    title: 'Route attached to a listener the gateway does not have',
    severity: RuleSeverity.ERROR,
    rationale: 'A route whose sectionName names no listener never attaches, so it would not work as declared.',
    suppressible: false,
  },
  {
    id: 'ZT126',
    title: 'Ingress gateway without sources',
    severity: RuleSeverity.ERROR,
    rationale: 'The gateway admits connections only from the declared source addresses; without any, nothing could reach it. Every address must be named explicitly, as `ExternalPeer.anyAddressUnsafe()`, which ZT403 then asks to justify.',
    suppressible: false,
  },
  {
    id: 'ZT320',
    title: 'Invalid or clashing gateway listeners',
    severity: RuleSeverity.ERROR,
    rationale: 'A gateway needs at least one listener; listener names are unique section names (IANA service names); listeners share a port only with the same protocol and distinct hostnames, as Gateway API requires.',
    suppressible: false,
  },
  {
    id: 'ZT321',
    title: 'HTTPS listener without valid certificates',
    severity: RuleSeverity.ERROR,
    rationale: 'An HTTPS listener terminates TLS with certificates from `kubernetes.io/tls` Secrets in the gateway\'s namespace, named by DNS-1123 subdomains; without one it cannot serve.',
    suppressible: false,
  },
];
