/**
 * Egress rules: a ServiceEntry stays in its namespace (ZT440), and no NetworkPolicy reaches addresses outside the
 * cluster that the app does not declare (ZT441). An EgressGateway's Gateway and TLSRoutes pass ZT425 because they are
 * exactly the objects it declares (`ManifestContext.declared`), as an IngressGateway's do.
 */
import { isDeepStrictEqual } from 'util';
import { declaredAddressRule } from './_declared-addresses';
import { blocksLeftByZt403, finding, internalRangesOf, landed, networkPolicyRules } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** The rules of this file, each rule one object. */
export const EGRESS_RULES: Rule[] = [
  {
    id: 'ZT440',
    title: 'ServiceEntry exported beyond its namespace',
    severity: RuleSeverity.ERROR,
    rationale: 'A ServiceEntry without `exportTo: ["."]` is visible to the proxies of every namespace (`*` by default), so with REGISTRY_ONLY it lets the workloads of namespaces the app does not manage reach the host too, and their traffic to it bypasses the egress gateway\'s routes, which are exported to the namespace only.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['ServiceEntry']).filter(o => !isDeepStrictEqual(o.spec.exportTo, ['.'])).map(o => finding('ZT440', o, 'spec.exportTo',
        o.spec.exportTo === undefined ? 'without exportTo the entry is visible to every namespace' : `exportTo ${JSON.stringify(o.spec.exportTo)} makes the entry visible beyond its namespace`,
        'Set `exportTo: ["."]`, as ExternalPeer.host() does, or suppress ZT440 with a reason.'));
    },
  },
  {
    id: 'ZT441',
    title: 'NetworkPolicy egress to addresses outside the cluster that no flow declares',
    severity: RuleSeverity.ERROR,
    rationale: 'An egress ipBlock outside the private and cluster-internal ranges lets the pods its policy selects reach those addresses directly, past the egress gateway and its authorization by server name. Only the blocks the app declares pass, in exactly the rule the generator writes for them, in the policy of the workload that declared them: a MeshedService\'s `allowToExternal(ExternalPeer.cidr())` (or `anyAddressUnsafe()`), an EgressGateway\'s host `addresses`, and the Kubernetes API server\'s addresses (PlatformPeer.kubernetesApiServer). Link-local blocks count (169.254.169.254 is the cloud metadata service). Blocks that ZT403 or ZT418 report are not reported again.',
    suppressible: true,
    check(ctx) {
      // Every address is ZT403's and the internal ranges ZT418's.
      return networkPolicyRules(ctx).filter(r => r.peersField === 'to' && !declaredAddressRule(ctx, r)).flatMap(({ o, field, blocks }) =>
        blocksLeftByZt403(blocks).filter(b => internalRangesOf(b).length === 0).map(({ j, block }) =>
          finding('ZT441', o, `${field}.to[${j}].ipBlock`,
            `the ipBlock ${block.text} lets the selected pods reach addresses outside the cluster directly, which no flow declares`,
            'Declare the flow with `allowToExternal(ExternalPeer.cidr(...))`, or route a host through an EgressGateway, or suppress ZT441 with a reason.')));
    },
  },
];

