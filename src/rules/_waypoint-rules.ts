// Rules on ambient waypoints (ZT15x), checked when the app's flows are routed through a namespace's waypoint.
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** Rules on waypoints, each rule one object. */
export const WAYPOINT_RULES: Rule[] = [
  {
    id: 'ZT150',
    title: 'Client of a server behind a waypoint that would not go through it',
    severity: RuleSeverity.ERROR,
    rationale: 'A server whose flows have HTTP rules, or that requires tokens (`requireJwt`), in ambient mode is reached through its namespace\'s waypoint, and its ztunnel admits only the waypoint. Only ambient workloads send their traffic to a Service\'s waypoint, and ingress gateways when the Service is labelled `istio.io/ingress-use-waypoint` (which an IngressGateway route to such a server adds); a sidecar or a platform peer would connect to the server directly and be refused, so the flow could not work as declared. A flow to ports outside the Service (a scrape of the metrics port) is addressed to the pods anyway, and admitted there.',
    suppressible: false,
  },
];
