// Rules on NetworkPolicies: peers, selectors, ipBlocks, policyTypes and ports.
import { declaredAddressRule } from './_declared-addresses';
import { Finding, landed, finding, list, networkPolicyRules, networkPolicyPeers, peerField, emptySelector, everyAddress, emptyObject, linkLocal, internalRangesOf, blocksLeftByZt403 } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { isObject } from '../model/_label-selector';
import { coveredFamilies } from '../util/_cidr';

/** Whether a peer selects a bounded set: not empty, no empty selector, no ipBlock of every address. */
function narrowPeer(peer: unknown): boolean {
  return isObject(peer) && !emptyObject(peer) && !emptySelector(peer.namespaceSelector)
    && !emptySelector(peer.podSelector) && !everyAddress(peer.ipBlock?.cidr);
}

/** Rules on NetworkPolicies: peers, selectors, ipBlocks, policyTypes and ports, each rule one object. */
export const NETWORK_POLICY_RULES: Rule[] = [
  {
    id: 'ZT401',
    title: 'NetworkPolicy rule or peer that admits every peer',
    severity: RuleSeverity.ERROR,
    rationale: 'A rule without `from`/`to`, or an empty peer `{}`, admits every pod of every namespace and every address.',
    suppressible: true,
    check(ctx) {
      const noPeers = networkPolicyRules(ctx).filter(r => list(r.peers).length === 0).map(({ o, field, peersField }) =>
        finding('ZT401', o, field, `the rule has no \`${peersField}\`, so it admits every peer`,
          `List the peers in \`${peersField}\`, or drop the rule.`));
      const emptyPeers = networkPolicyPeers(ctx).filter(({ peer }) => emptyObject(peer)).map(p =>
        finding('ZT401', p.rule.o, peerField(p), 'the peer is empty ({}), so it admits every pod of every namespace and every address',
          'Select the peer\'s namespace and pods in one peer.'));
      return [...noPeers, ...emptyPeers];
    },
  },
  {
    id: 'ZT402',
    title: 'NetworkPolicy peer with an empty selector',
    severity: RuleSeverity.ERROR,
    rationale: 'An empty namespaceSelector selects every namespace and an empty podSelector every pod of the selected namespaces.',
    suppressible: true,
    check(ctx) {
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
    },
  },
  {
    id: 'ZT403',
    title: 'NetworkPolicy ipBlock of every address',
    severity: RuleSeverity.ERROR,
    rationale: 'A CIDR block of prefix length 0 (`0.0.0.0/0`, `::/0`), or blocks of one rule that together cover a whole address family (`0.0.0.0/1` and `128.0.0.0/1`), admit the whole network, inside and outside the cluster; `except` does not help, as it only removes part. IPv4-mapped IPv6 blocks read as the IPv4 blocks they map, as Go\'s net.IPNet reads them (`::ffff:0:0/96` is `0.0.0.0/0`, `::ffff:10.0.0.0/104` is `10.0.0.0/8`, for this rule, ZT418, ZT422 and ZT427), and a wider IPv6 block that holds `::ffff:0:0/96` covers every IPv4 address. ZT418 does not report that family\'s blocks again.',
    suppressible: true,
    check(ctx) {
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
    },
  },
  {
    id: 'ZT404',
    title: 'NetworkPolicy without policyTypes',
    severity: RuleSeverity.ERROR,
    rationale: 'Without policyTypes Kubernetes isolates egress only when egress rules are present, so a policy may isolate less than it reads.',
    suppressible: true,
    check(ctx) {
      return landed(ctx, ['NetworkPolicy']).filter(o => list(o.spec.policyTypes).length === 0).map(o =>
        finding('ZT404', o, 'spec.policyTypes', 'policyTypes is missing or empty, so Kubernetes guesses the directions from the rules present',
          'Set policyTypes to the directions the policy isolates, such as ["Ingress", "Egress"].'));
    },
  },
  {
    id: 'ZT418',
    title: 'NetworkPolicy ipBlock in a private or cluster-internal range',
    severity: RuleSeverity.ERROR,
    rationale: 'Pods and Services get their addresses from the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) or the carrier-grade NAT range 100.64.0.0/10; an ipBlock there can match them by address, bypassing their label-based identity. `except` blocks that remove the whole overlap count; link-local addresses (node-local probes) are not in these ranges. The egress rules the app declares to the Kubernetes API server\'s addresses (PlatformPeer.kubernetesApiServer) are exempt, in exactly their shape and in the policies of the services that declared them.',
    suppressible: true,
    check(ctx) {
      return networkPolicyRules(ctx).filter(r => !declaredAddressRule(ctx, r, true)).flatMap(({ o, field, peersField, blocks }) => {
        return blocksLeftByZt403(blocks).flatMap(b => {
          const { j, block } = b;
          const hit = internalRangesOf(b);
          return hit.length === 0 ? [] : [finding('ZT418', o, `${field}.${peersField}[${j}].ipBlock`,
            `the ipBlock ${block.text} overlaps the private or cluster-internal ${hit.map(r => r.text).join(', ')}, where pods and Services `
            + 'get their addresses, so it can admit them by address, bypassing their label-based identity',
            'Name a narrower external range, or suppress ZT418 with a reason.')];
        });
      });
    },
  },
  {
    id: 'ZT503',
    title: 'NetworkPolicy rule without ports',
    severity: RuleSeverity.WARNING,
    rationale: 'A rule without ports admits its peers on every port; rules whose peers are only link-local addresses (node-local probes) are exempt.',
    suppressible: true,
    check(ctx) {
      return networkPolicyRules(ctx).filter(({ rule, peers }) => list(rule?.ports).length === 0 && list(peers).length > 0
        && list(peers).every(narrowPeer)
        // Node-local probes (ambient mode SNATs them to 169.254.7.127) reach whatever port a probe names.
        && !list(peers).every(p => Object.keys(p).length === 1 && linkLocal(p.ipBlock?.cidr))).map(({ o, field }) =>
        finding('ZT503', o, `${field}.ports`, 'the rule has no ports, so it admits its peers on every port', 'List the ports the peers use.'));
    },
  },
];
