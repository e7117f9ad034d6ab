/**
 * The zero-trust rules that inspect synthesized objects (ZT4xx errors, ZT5xx warnings), and the split of their
 * findings into errors, warnings and suppressed ones.
 * They check every object that lands in a managed namespace, whoever emitted it: they guard against the
 * library's bugs as much as the user's.
 */
import { IConstruct } from 'constructs';
import { ruleInfo } from './_catalog';
import {
  Finding, Landed, ManifestContext, allowPolicy, authorizationPolicies, blocksLeftByZt403, emptyObject, emptySelector, everyAddress,
  finding, internalRangesOf, landed, linkLocal, list, meshHost, meshed, namespaceOf, networkPolicyPeers, networkPolicyRules, peerField, podTemplates,
  positiveSourceFields, sourceEntries, sourceField, weakMtlsModes, whereOf,
} from './_manifest-objects';
import { OPENING_RULES } from './_openings-rules';
import { RuleSeverity } from './rule-info';
import { ZeroTrustRules } from './zero-trust-rules';
import { WORKLOAD_LABEL } from '../model/_constants';
import { SPIFFE_SCHEME } from '../model/_identity';
import { isObject } from '../model/_label-selector';
import { ENROLMENT_LABELS, OPT_OUT_LABELS } from '../model/_mesh-labels';
import { meshOptOuts, serviceAccountOf } from '../model/_workload-rules';
import { coveredFamilies } from '../util/_cidr';
import { addToList, compareStrings } from '../util/_collections';

export type { Finding, ManagedNamespace, ManifestContext, ManifestObject } from './_manifest-objects';


/** Whether a peer selects a bounded set: not empty, no empty selector, no ipBlock of every address. */
function narrowPeer(peer: unknown): boolean {
  return isObject(peer) && !emptyObject(peer) && !emptySelector(peer.namespaceSelector)
    && !emptySelector(peer.podSelector) && !everyAddress(peer.ipBlock?.cidr);
}

function zt401(ctx: ManifestContext): Finding[] {
  const noPeers = networkPolicyRules(ctx).filter(r => list(r.peers).length === 0).map(({ o, field, peersField }) =>
    finding('ZT401', o, field, `the rule has no \`${peersField}\`, so it admits every peer`,
      `List the peers in \`${peersField}\`, or drop the rule.`));
  const emptyPeers = networkPolicyPeers(ctx).filter(({ peer }) => emptyObject(peer)).map(p =>
    finding('ZT401', p.rule.o, peerField(p), 'the peer is empty ({}), so it admits every pod of every namespace and every address',
      'Select the peer\'s namespace and pods in one peer.'));
  return [...noPeers, ...emptyPeers];
}

function zt402(ctx: ManifestContext): Finding[] {
  const problems: Record<string, string> = {
    namespaceSelector: 'an empty namespaceSelector selects every namespace',
    podSelector: 'an empty podSelector selects every pod of the selected namespaces',
  };
  const findings: Finding[] = [];
  for (const p of networkPolicyPeers(ctx)) {
    for (const s of ['namespaceSelector', 'podSelector']) {
      if (emptySelector(p.peer?.[s])) {
        findings.push(finding('ZT402', p.rule.o, `${peerField(p)}.${s}`, problems[s], 'Give the selector matchLabels that name the peer (namespaces by `kubernetes.io/metadata.name`).'));
      }
    }
  }
  return findings;
}

function zt403(ctx: ManifestContext): Finding[] {
  const fix = 'Name the smallest CIDR block that holds the peer.';
  return networkPolicyRules(ctx).flatMap(({ o, field, peersField, blocks }) => {
    return coveredFamilies(blocks.map(b => b.block)).map(family => {
      const own = blocks.filter(b => b.block.family === family);
      // An IPv6 block holding the IPv4-mapped range covers IPv4 whole, but not every address.
      const whole = own.find(b => everyAddress(b.block.text));
      return whole
        ? finding('ZT403', o, `${field}.${peersField}[${whole.j}].ipBlock`, `the ipBlock ${whole.block.text} covers every address`, fix)
        : finding('ZT403', o, `${field}.${peersField}`, `the ipBlocks ${own.map(b => b.block.text).join(', ')} together cover every IPv${family} address`, fix);
    });
  });
}

function zt404(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['NetworkPolicy']).filter(o => list(o.spec.policyTypes).length === 0).map(o =>
    finding('ZT404', o, 'spec.policyTypes', 'policyTypes is missing or empty, so Kubernetes guesses the directions from the rules present',
      'Set policyTypes to the directions the policy isolates, such as ["Ingress", "Egress"].'));
}

function zt405(ctx: ManifestContext): Finding[] {
  return sourceEntries(ctx).filter(e => ['principals', 'notPrincipals'].includes(e.key) && e.value.startsWith(SPIFFE_SCHEME)).map(e =>
    finding('ZT405', e.o, sourceField(e), `principal "${e.value}" has the spiffe:// scheme, which Istio principals never carry, so it never matches`,
      `Write it without the scheme: "${e.value.slice(SPIFFE_SCHEME.length)}".`));
}

function zt406(ctx: ManifestContext): Finding[] {
  return sourceEntries(ctx).filter(e => !e.key.startsWith('not') && allowPolicy(e.o) && e.value.includes('*')).map(e =>
    finding('ZT406', e.o, sourceField(e), `"${e.value}" is a wildcard, which admits identities nobody declared`, 'Name each client principal exactly.'));
}

/** Why an ALLOW source admits everyone, or undefined when it names someone (sources of addresses alone are ZT422's). */
function openSource(source: unknown): string | undefined {
  if (!isObject(source) || emptyObject(source)) return 'the source is empty, so it admits every client';
  if (positiveSourceFields(source).length === 0) return 'the source has only not-forms, so it admits every client but those';
  return undefined;
}

function zt407(ctx: ManifestContext): Finding[] {
  const fix = 'Name the clients in `from[].source.principals`.';
  return authorizationPolicies(ctx).filter(allowPolicy).flatMap(o => list(o.spec.rules).flatMap((rule, i) => {
    if (list(rule?.from).length === 0) {
      return [finding('ZT407', o, `spec.rules[${i}]`, 'the ALLOW rule has no `from`, so it admits every client', fix)];
    }
    return list(rule.from).flatMap((from, j) => {
      const problem = openSource(from?.source);
      return problem ? [finding('ZT407', o, `spec.rules[${i}].from[${j}].source`, problem, fix)] : [];
    });
  }));
}

function zt408(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['PeerAuthentication']).filter(meshed).flatMap(o => weakMtlsModes(o).map(({ field, mode }) =>
    finding('ZT408', o, field, `mTLS mode ${mode} admits plaintext clients without an identity`,
      'Use STRICT, or drop the mode to inherit the namespace\'s STRICT.')));
}

function zt409(ctx: ManifestContext): Finding[] {
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
}

function zt410(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ o }) => meshed(o)).flatMap(({ o, at, template }) =>
    meshOptOuts(template.metadata, o.mesh).map(({ field, problem }) => finding('ZT410', o, `${at}metadata.${field}`, problem,
      'Drop it: every pod of a meshed zero-trust namespace needs a mesh identity, on all its traffic.')));
}

function zt411(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ template }) => serviceAccountOf(template) === 'default').map(({ o, at }) =>
    finding('ZT411', o, `${at}spec.serviceAccountName`,
      'the pods run as the namespace\'s shared `default` ServiceAccount, so they have no identity of their own',
      'Run them as a MeshedService\'s ServiceAccount and enrol them with `service.enrol()`.'));
}

function zt412(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['DestinationRule']).filter(o => meshed(o) && meshHost(o.spec.host)).flatMap(o => {
    const policies: Array<[string, any]> = [['spec.trafficPolicy', o.spec.trafficPolicy]];
    list(o.spec.subsets).forEach((s, i) => policies.push([`spec.subsets[${i}].trafficPolicy`, s?.trafficPolicy]));
    const modes = policies.flatMap(([field, policy]) => [[`${field}.tls.mode`, policy?.tls?.mode],
      ...list(policy?.portLevelSettings).map((p, i) => [`${field}.portLevelSettings[${i}].tls.mode`, p?.tls?.mode])]);
    return modes.filter(([, mode]) => mode !== undefined && mode !== 'ISTIO_MUTUAL').map(([field, mode]) =>
      finding('ZT412', o, field, `TLS mode ${mode} for host "${o.spec.host}" replaces Istio mTLS, so the server sees no client identity`,
        'Use ISTIO_MUTUAL, or drop the tls setting.'));
  });
}

function zt413(ctx: ManifestContext): Finding[] {
  return podTemplates(ctx).filter(({ template }) => template.spec?.hostNetwork === true).map(({ o, at }) =>
    finding('ZT413', o, `${at}spec.hostNetwork`,
      'the pods share the node\'s network, which NetworkPolicies do not isolate and the mesh does not capture', 'Drop hostNetwork.'));
}

function zt414(ctx: ManifestContext): Finding[] {
  const namespaceWide = (o: Landed) => o.spec.selector === undefined || emptySelector(o.spec.selector);
  return landed(ctx, ['PeerAuthentication']).filter(o => meshed(o) && namespaceWide(o) && o.manifest.metadata?.name !== 'default').map(o =>
    finding('ZT414', o, 'spec.selector',
      'a second namespace-wide PeerAuthentication competes with the namespace\'s `default` one, and Istio applies the oldest',
      'Give it a selector, or change the namespace\'s `default` PeerAuthentication instead.'));
}

function zt415(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['Sidecar']).filter(o => meshed(o) && o.spec.outboundTrafficPolicy?.mode === 'ALLOW_ANY').map(o =>
    finding('ZT415', o, 'spec.outboundTrafficPolicy.mode', 'ALLOW_ANY lets the proxies pass traffic to any host outside the mesh registry',
      'Use REGISTRY_ONLY and declare outside hosts as ServiceEntries.'));
}

function zt418(ctx: ManifestContext): Finding[] {
  return networkPolicyRules(ctx).flatMap(({ o, field, peersField, blocks }) => {
    return blocksLeftByZt403(blocks).flatMap(b => {
      const { j, block } = b;
      const hit = internalRangesOf(b);
      return hit.length === 0 ? [] : [finding('ZT418', o, `${field}.${peersField}[${j}].ipBlock`,
        `the ipBlock ${block.text} overlaps the private or cluster-internal ${hit.map(r => r.text).join(', ')}, where pods and Services `
        + 'get their addresses, so it can admit them by address, bypassing their label-based identity',
        'Name a narrower external range, or suppress ZT418 with a reason.')];
    });
  });
}

function zt501(ctx: ManifestContext): Finding[] {
  return landed(ctx, ['Namespace']).filter(o => !meshed(o)).map(o =>
    finding('ZT501', o, '', 'the namespace is outside the mesh: no mTLS and no principals, only NetworkPolicies',
      'Use MeshMode.SIDECAR or MeshMode.AMBIENT.'));
}

function others(group: Array<{ o: Landed }>, self: Landed): string {
  return group.filter(w => w.o !== self).map(w => whereOf(w.o)).sort().join(', ');
}

function zt502(ctx: ManifestContext): Finding[] {
  const bySa = new Map<string, Array<{ o: Landed; at: string; template: any }>>();
  for (const w of podTemplates(ctx)) {
    const sa = serviceAccountOf(w.template);
    if (sa === 'default') continue;
    const key = `${namespaceOf(w.o)}/${sa}`;
    addToList(bySa, key, w);
  }
  // Workloads enrolled into a MeshedService (its label names their ServiceAccount) share its identity on purpose.
  return [...bySa.values()].filter(group => group.length > 1).flatMap(group => group
    .filter(({ template }) => template.metadata?.labels?.[WORKLOAD_LABEL] !== serviceAccountOf(template))
    .map(({ o, at, template }) => finding('ZT502', o, `${at}spec.serviceAccountName`,
      `the pods share ServiceAccount "${serviceAccountOf(template)}" with ${others(group, o)}, so their policies cannot tell them apart`,
      'Give each workload its own ServiceAccount, or enrol it into the MeshedService whose identity it shares.')));
}

function zt503(ctx: ManifestContext): Finding[] {
  return networkPolicyRules(ctx).filter(({ rule, peers }) => list(rule?.ports).length === 0 && list(peers).length > 0
    && list(peers).every(narrowPeer)
    // Node-local probes (ambient mode SNATs them to 169.254.7.127) reach whatever port a probe names.
    && !list(peers).every(p => Object.keys(p).length === 1 && linkLocal(p.ipBlock?.cidr))).map(({ o, field }) =>
    finding('ZT503', o, `${field}.ports`, 'the rule has no ports, so it admits its peers on every port', 'List the ports the peers use.'));
}

/** Every manifest rule, those that close the proof's blind spots (src/rules/_openings-rules.ts) included, in id order. */
export const MANIFEST_RULES: Array<{ id: string; check: (ctx: ManifestContext) => Finding[] }> = [
  { id: 'ZT401', check: zt401 },
  { id: 'ZT402', check: zt402 },
  { id: 'ZT403', check: zt403 },
  { id: 'ZT404', check: zt404 },
  { id: 'ZT405', check: zt405 },
  { id: 'ZT406', check: zt406 },
  { id: 'ZT407', check: zt407 },
  { id: 'ZT408', check: zt408 },
  { id: 'ZT409', check: zt409 },
  { id: 'ZT410', check: zt410 },
  { id: 'ZT411', check: zt411 },
  { id: 'ZT412', check: zt412 },
  { id: 'ZT413', check: zt413 },
  { id: 'ZT414', check: zt414 },
  { id: 'ZT415', check: zt415 },
  { id: 'ZT418', check: zt418 },
  { id: 'ZT501', check: zt501 },
  { id: 'ZT502', check: zt502 },
  { id: 'ZT503', check: zt503 },
  ...OPENING_RULES,
].sort((a, b) => compareStrings(a.id, b.id));

function compareFindings(a: Finding, b: Finding): number {
  return compareStrings(a.path, b.path) || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message);
}

/** Runs every manifest rule; findings sorted by path, then rule id, then message. */
export function runManifestRules(ctx: ManifestContext): Finding[] {
  return MANIFEST_RULES.flatMap(r => r.check(ctx)).sort(compareFindings);
}

/**
 * Splits findings into errors, warnings and suppressed ones (those under a suppression of their rule), and
 * annotates every ApiObject under a suppression with its reason. Idempotent, so each synth may call it.
 */
export function applySuppressions(findings: Finding[], root: IConstruct): { errors: Finding[]; warnings: Finding[]; suppressed: Finding[] } {
  const suppressions = ZeroTrustRules._suppressions(root);
  ZeroTrustRules._annotate(root, suppressions);
  const result = { errors: [] as Finding[], warnings: [] as Finding[], suppressed: [] as Finding[] };
  for (const f of findings) {
    if (suppressions.some(s => s.ruleId === f.ruleId && ZeroTrustRules._covers(s.path, f.path))) {
      result.suppressed.push(f);
    } else if (ruleInfo(f.ruleId).severity === RuleSeverity.ERROR) {
      result.errors.push(f);
    } else {
      result.warnings.push(f);
    }
  }
  return result;
}
