// Rules on the mesh itself: mTLS mode, enrolment, DestinationRule TLS, Sidecars, namespaces outside the mesh.
import { Finding, Landed, landed, meshed, finding, list, emptySelector, weakMtlsModes, meshHost } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { isObject } from '../model/_label-selector';
import { ENROLMENT_LABELS, OPT_OUT_LABELS } from '../model/_mesh-labels';

/** Rules on the mesh itself: mTLS mode, enrolment, DestinationRule TLS, Sidecars, namespaces outside the mesh, each rule one object. */
export const MESH_RULES: Rule[] = [
  {
    id: 'ZT408',
    title: 'PeerAuthentication weaker than STRICT in a meshed namespace',
    severity: RuleSeverity.ERROR,
    rationale: 'PERMISSIVE or DISABLE mTLS admits plaintext clients, which carry no identity for the AuthorizationPolicies to check.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['PeerAuthentication']).filter(meshed).flatMap(o => weakMtlsModes(o).map(({ field, mode }) =>
        finding('ZT408', o, field, `mTLS mode ${mode} admits plaintext clients without an identity`,
          'Use STRICT, or drop the mode to inherit the namespace\'s STRICT.')));
    },
  },
  {
    id: 'ZT409',
    title: 'Meshed namespace not enrolled in the mesh',
    severity: RuleSeverity.ERROR,
    rationale: 'Without its enrolment label (or with an opt-out label) the namespace\'s pods get no sidecar or ztunnel, so no mTLS identity.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['Namespace']).filter(meshed).flatMap(o => {
        const labels = isObject(o.manifest.metadata?.labels) ? o.manifest.metadata.labels : {};
        const [key, value] = ENROLMENT_LABELS[o.mesh];
        const found: Finding[] = [];
        if (labels[key] !== value) {
          const now = labels[key] === undefined ? 'missing' : `"${labels[key]}"`;
          found.push(finding('ZT409', o, `metadata.labels["${key}"]`, `the ${o.mesh} namespace's enrolment label is ${now}, so its pods join no mesh`,
            `Keep the label "${key}: ${value}" that ZeroTrustNamespace sets.`));
        }
        for (const [optKey, optValue] of OPT_OUT_LABELS) {
          if (optKey !== key && labels[optKey] === optValue) {
            found.push(finding('ZT409', o, `metadata.labels["${optKey}"]`,
              `the label "${optKey}: ${optValue}" opts the namespace out of the mesh`, 'Drop the label.'));
          }
        }
        return found;
      });
    },
  },
  {
    id: 'ZT412',
    title: 'DestinationRule with TLS other than ISTIO_MUTUAL',
    severity: RuleSeverity.ERROR,
    rationale: 'Another TLS mode (or DISABLE, which is also what a tls setting without a mode means) to a mesh service replaces Istio mTLS, so the server sees no client identity.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['DestinationRule']).filter(o => meshed(o) && meshHost(o.spec.host)).flatMap(o => {
        const policies: Array<[string, any]> = [['spec.trafficPolicy', o.spec.trafficPolicy]];
        list(o.spec.subsets).forEach((s, i) => policies.push([`spec.subsets[${i}].trafficPolicy`, s?.trafficPolicy]));
        const settings: Array<[string, any]> = policies.flatMap(([field, policy]) => [[`${field}.tls`, policy?.tls],
          ...list(policy?.portLevelSettings).map((p, i): [string, any] => [`${field}.portLevelSettings[${i}].tls`, p?.tls])]);
        // A tls setting without a mode is DISABLE, Istio's default: plaintext to the server.
        return settings.filter(([, tls]) => tls !== undefined && tls !== null && (tls.mode ?? 'DISABLE') !== 'ISTIO_MUTUAL').map(([field, tls]) =>
          finding('ZT412', o, `${field}.mode`, `TLS mode ${tls.mode ?? 'DISABLE (unset)'} for host "${o.spec.host}" replaces Istio mTLS, so the server sees no client identity`,
            'Use ISTIO_MUTUAL, or drop the tls setting.'));
      });
    },
  },
  {
    id: 'ZT414',
    title: 'Second namespace-wide PeerAuthentication',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio applies only the oldest namespace-wide PeerAuthentication, so which mTLS mode holds would depend on creation order.',
    suppressible: true,
    check(ctx) {
      const namespaceWide = (o: Landed) => o.spec.selector === undefined || emptySelector(o.spec.selector);
      return landed(ctx, ['PeerAuthentication']).filter(o => meshed(o) && namespaceWide(o) && o.manifest.metadata?.name !== 'default').map(o =>
        finding('ZT414', o, 'spec.selector',
          'a second namespace-wide PeerAuthentication competes with the namespace\'s `default` one, and Istio applies the oldest',
          'Give it a selector, or change the namespace\'s `default` PeerAuthentication instead.'));
    },
  },
  {
    id: 'ZT415',
    title: 'Sidecar that allows any outbound host',
    severity: RuleSeverity.ERROR,
    rationale: 'A Sidecar with `outboundTrafficPolicy: ALLOW_ANY` lets its proxies pass traffic to hosts outside the mesh registry.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['Sidecar']).filter(o => meshed(o) && o.spec.outboundTrafficPolicy?.mode === 'ALLOW_ANY').map(o =>
        finding('ZT415', o, 'spec.outboundTrafficPolicy.mode', 'ALLOW_ANY lets the proxies pass traffic to any host outside the mesh registry',
          'Use REGISTRY_ONLY and declare outside hosts as ServiceEntries.'));
    },
  },
  {
    id: 'ZT501',
    title: 'Managed namespace outside the mesh',
    severity: RuleSeverity.WARNING,
    rationale: 'With `MeshMode.NONE` only NetworkPolicies protect the namespace: no mTLS, no principals.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['Namespace']).filter(o => !meshed(o)).map(o =>
        finding('ZT501', o, '', 'the namespace is outside the mesh: no mTLS and no principals, only NetworkPolicies',
          'Use MeshMode.SIDECAR or MeshMode.AMBIENT.'));
    },
  },
];
