/**
 * Egress rules: a ServiceEntry stays in its namespace (ZT440). An EgressGateway's Gateway and TLSRoutes pass ZT425
 * because they are exactly the objects it declares (`ManifestContext.declared`), as an IngressGateway's do.
 */
import { isDeepStrictEqual } from 'util';
import { finding, landed } from './_manifest-objects';
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
];

