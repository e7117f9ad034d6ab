// Rules checked when a flow with a platform peer (constructs/platform-peer.ts) is declared: ZT14x flows, ZT34x ports.
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** Rules of platform peers, checked in constructs/ where the peer or its flow is declared. */
export const PLATFORM_RULES: Rule[] = [
  {
    id: 'ZT140',
    title: 'Invalid platform peer',
    severity: RuleSeverity.ERROR,
    rationale: 'A platform peer\'s pods are selected by its namespace name AND its pod labels, in one NetworkPolicy peer, and admitted by its ServiceAccount\'s principal: without labels the peer would be every pod of its namespace, and `default` is the identity every pod without its own ServiceAccount shares. The API server\'s addresses must be CIDR blocks, never every address.',
    suppressible: false,
  },
  {
    id: 'ZT141',
    title: 'Flow in a direction the platform peer does not take',
    severity: RuleSeverity.ERROR,
    rationale: 'Prometheus and ingress controllers call services, and services call the API server; a flow the other way, or a port list for a scrape, whose port the mesh mode decides, would open what the peer does not use.',
    suppressible: false,
  },
  {
    id: 'ZT142',
    title: 'Platform peer outside the mesh calling a meshed service',
    severity: RuleSeverity.ERROR,
    rationale: 'A peer without a sidecar or ztunnel has no mTLS identity, so the service\'s STRICT mTLS refuses it; only a sidecar\'s merged metrics port 15020, which Istio\'s iptables leaves to the sidecar agent, is reached in plaintext.',
    suppressible: false,
  },
  {
    id: 'ZT143',
    title: 'Scrape of a service without a metrics port',
    severity: RuleSeverity.ERROR,
    rationale: 'Without a sidecar (ambient mode, or outside the mesh) no merged metrics port 15020 exists: Prometheus scrapes the app\'s own metrics port, which must be declared apart from the app ports (`metricsPort`) so that scraping never opens the app ports.',
    suppressible: false,
  },
  {
    id: 'ZT144',
    title: 'Platform peer in a namespace the app manages',
    severity: RuleSeverity.ERROR,
    rationale: 'Pods of a managed namespace are declared as MeshedServices, with their own identity and policies; a platform peer there would admit pods by labels the namespace\'s deny-all and the rules do not expect.',
    suppressible: false,
  },
  {
    id: 'ZT145',
    title: 'Platform peers that share a namespace and ServiceAccount but differ',
    severity: RuleSeverity.ERROR,
    rationale: 'A platform peer is known by its namespace and ServiceAccount, its identity; two peers with that identity but other labels, mesh mode or trust domain would be one peer to Istio and two to NetworkPolicy.',
    suppressible: false,
  },
  {
    id: 'ZT340',
    title: 'Invalid metrics port',
    severity: RuleSeverity.ERROR,
    rationale: 'The metrics port is scraped apart from the app ports, so it must not be one of them, nor a port Istio\'s proxies own (15008, 15020, 15021, 15090).',
    suppressible: false,
  },
];
