import { Reachability } from '../../src';

/*
 * NetworkPolicy conformance, modelled on the upstream network policy e2e suite: namespaces x, y, z with pods a, b, c,
 * each serving 80 and 81 on TCP, UDP and SCTP (ports named serve-80-tcp, ...). Each case asserts the full 9x9 truth
 * table for one port and protocol: rows are clients, columns servers, `X` allowed, `.` refused; loopback is always
 * allowed (a pod cannot block access to itself).
 */

const NAMESPACES = ['x', 'y', 'z'];
const PODS = ['a', 'b', 'c'];
const IDS = NAMESPACES.flatMap(ns => PODS.map(pod => `${ns}/${pod}`));

interface World {
  /** Give every pod an IPv4 (10.0.<ns>.<pod>) or IPv6 (fd00::<ns><pod>) address. */
  readonly ips?: 'v4' | 'v6';
  /** Extra namespace labels. */
  readonly nsLabels?: { [ns: string]: { [key: string]: string } };
  /** Extra pod labels, by pod id. */
  readonly podLabels?: { [id: string]: { [key: string]: string } };
}

function world(manifests: any[], w: World = {}): Reachability {
  return Reachability.analyze({
    namespaces: NAMESPACES.map(ns => ({ name: ns, labels: { ns, ...w.nsLabels?.[ns] } })),
    pods: NAMESPACES.flatMap((ns, i) => PODS.map((pod, j) => ({
      namespace: ns,
      name: pod,
      labels: { pod, ...w.podLabels?.[`${ns}/${pod}`] },
      ...(w.ips === 'v4' ? { ip: `10.0.${i}.${j + 1}` } : w.ips === 'v6' ? { ip: `fd00::${i}${j + 1}` } : {}),
      ports: [80, 81].flatMap(port => ['TCP', 'UDP', 'SCTP'].map(protocol =>
        ({ port, protocol, name: `serve-${port}-${protocol.toLowerCase()}` }))),
    }))),
    manifests,
  });
}

/** The truth table as 9 rows `XXX XXX XXX` (x, y, z groups of servers a, b, c), from isAllowed or from explain. */
function truthTable(r: Reachability, port: number, protocol: string, explained = false): string[] {
  const allowed = (from: string, to: string) => explained
    ? r.explain({ from, to, port, protocol }).allowed
    : r.isAllowed({ from, to, port, protocol });
  return IDS.map(from => NAMESPACES.map((_, n) => IDS.slice(n * 3, n * 3 + 3).map(to => allowed(from, to) ? 'X' : '.').join('')).join(' '));
}

function np(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const pod = (p: string) => ({ matchLabels: { pod: p } });
const ns = (n: string) => ({ matchLabels: { ns: n } });

const ALL = Array(9).fill('XXX XXX XXX');
const INTO_X_DENIED = ['X.. XXX XXX', '.X. XXX XXX', '..X XXX XXX', ...Array(6).fill('... XXX XXX')];
const INTO_XA_DENIED = ['XXX XXX XXX', ...Array(8).fill('.XX XXX XXX')];
const FROM_X_DENIED = ['X.. ... ...', '.X. ... ...', '..X ... ...', ...Array(6).fill('XXX XXX XXX')];
/** Only row `from` (0-8) may reach x/a, plus loopback. */
function intoXaOnlyFrom(...allowed: number[]): string[] {
  return IDS.map((_, i) => `${i === 0 || allowed.includes(i) ? 'X' : '.'}XX XXX XXX`);
}

interface Case {
  readonly name: string;
  readonly manifests: any[];
  readonly port?: number;
  readonly protocol?: string;
  readonly world?: World;
  readonly expected: string[];
}

const denyAllIngressX = np('x', 'deny-all', { podSelector: {} });

const CASES: Case[] = [
  { name: 'no policy: everything allowed', manifests: [], expected: ALL },
  { name: 'deny-all ingress (policyTypes absent, no ingress field) isolates every pod of x', manifests: [denyAllIngressX], expected: INTO_X_DENIED },
  { name: 'deny-all ingress with ingress: []', manifests: [np('x', 'deny', { podSelector: {}, ingress: [] })], expected: INTO_X_DENIED },
  { name: 'an absent podSelector selects every pod of the namespace', manifests: [np('x', 'deny', { ingress: [] })], expected: INTO_X_DENIED },
  { name: 'deny-all ingress also holds for UDP', manifests: [denyAllIngressX], protocol: 'UDP', expected: INTO_X_DENIED },
  { name: 'deny-all ingress also holds for SCTP on 81', manifests: [denyAllIngressX], port: 81, protocol: 'SCTP', expected: INTO_X_DENIED },
  { name: 'allow-all ingress rule [{}] admits everything', manifests: [np('x', 'allow', { podSelector: {}, ingress: [{}] })], expected: ALL },
  { name: 'ingress rule with from: [] and ports: [] admits everything', manifests: [np('x', 'allow', { podSelector: {}, ingress: [{ from: [], ports: [] }] })], expected: ALL },
  {
    name: 'deny-all egress (policyTypes [Egress]) isolates clients in x',
    manifests: [np('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })],
    expected: FROM_X_DENIED,
  },
  {
    name: 'egress: [] without policyTypes defaults to Ingress only (no egress rule): x isolated for ingress only',
    manifests: [np('x', 'p', { podSelector: {}, egress: [] })],
    expected: INTO_X_DENIED,
  },
  {
    name: 'egress rules without policyTypes default to Ingress and Egress',
    manifests: [np('x', 'p', { podSelector: {}, egress: [{ to: [{ namespaceSelector: ns('x') }] }] })],
    expected: ['X.. ... ...', '.X. ... ...', '..X ... ...', ...Array(6).fill('... XXX XXX')],
  },
  {
    name: 'policyTypes [Ingress] ignores listed egress rules',
    manifests: [np('x', 'p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: pod('z') }] }] })],
    expected: ALL,
  },
  {
    name: 'policyTypes [Egress] ignores listed ingress rules: ingress stays open',
    manifests: [np('x', 'p', { podSelector: {}, policyTypes: ['Egress'], ingress: [], egress: [{}] })],
    expected: ALL,
  },
  {
    name: 'policyTypes [Ingress, Egress] without rules isolates both ways',
    manifests: [np('x', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    expected: ['X.. ... ...', '.X. ... ...', '..X ... ...', ...Array(6).fill('... XXX XXX')],
  },
  {
    name: 'ingress and egress isolation are independent: y/b admits x/a but x/a may only send within x',
    manifests: [
      np('x', 'egress-x-only', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }),
      np('y', 'ingress-from-xa', { podSelector: pod('b'), ingress: [{ from: [{ namespaceSelector: ns('x'), podSelector: pod('a') }] }] }),
    ],
    expected: ['XXX ... ...', 'XXX X.X XXX', 'XXX X.X XXX', 'XXX X.X XXX', 'XXX XXX XXX', 'XXX X.X XXX', 'XXX X.X XXX', 'XXX X.X XXX', 'XXX X.X XXX'],
  },
  { name: 'podSelector selects only x/a', manifests: [np('x', 'p', { podSelector: pod('a') })], expected: INTO_XA_DENIED },
  {
    name: 'a policy in y does not select pods of x',
    manifests: [np('y', 'p', { podSelector: pod('a') })],
    expected: [
      'XXX .XX XXX', 'XXX .XX XXX', 'XXX .XX XXX', 'XXX XXX XXX', 'XXX .XX XXX', 'XXX .XX XXX', 'XXX .XX XXX', 'XXX .XX XXX', 'XXX .XX XXX',
    ],
  },
  {
    name: 'peer podSelector only: pods with that label in the policy namespace',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: pod('b') }] }] })],
    expected: intoXaOnlyFrom(1),
  },
  {
    name: 'peer podSelector {}: every pod in the policy namespace',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: {} }] }] })],
    expected: intoXaOnlyFrom(1, 2),
  },
  {
    name: 'peer namespaceSelector only: every pod of the matching namespaces',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })],
    expected: intoXaOnlyFrom(3, 4, 5),
  },
  {
    name: 'peer namespaceSelector {}: every pod of every namespace',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    expected: ALL,
  },
  {
    name: 'namespaceSelector and podSelector in one peer are ANDed',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: pod('b') }] }] })],
    expected: intoXaOnlyFrom(4),
  },
  {
    name: 'namespaceSelector and podSelector in separate peers are ORed',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }, { podSelector: pod('b') }] }] })],
    expected: intoXaOnlyFrom(1, 3, 4, 5),
  },
  {
    name: 'namespaceSelector {} with podSelector: that pod name in every namespace',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {}, podSelector: pod('c') }] }] })],
    expected: intoXaOnlyFrom(2, 5, 8),
  },
  {
    name: 'namespaces are selectable by their implicit kubernetes.io/metadata.name label',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }] })],
    expected: intoXaOnlyFrom(6, 7, 8),
  },
  {
    name: 'matchExpressions In',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }] }] })],
    expected: intoXaOnlyFrom(1, 2),
  },
  {
    name: 'matchExpressions NotIn on namespaces',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] } }] }] })],
    expected: intoXaOnlyFrom(1, 2, 6, 7, 8),
  },
  {
    name: 'matchExpressions NotIn matches pods without the key',
    world: { podLabels: { 'y/a': { tier: 'db' }, 'y/b': { tier: 'web' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } }] }] })],
    expected: intoXaOnlyFrom(4, 5),
  },
  {
    name: 'matchExpressions Exists',
    world: { podLabels: { 'z/b': { tier: 'db' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] }] })],
    expected: intoXaOnlyFrom(7),
  },
  {
    name: 'matchExpressions DoesNotExist on namespaces',
    world: { nsLabels: { z: { restricted: 'true' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'restricted', operator: 'DoesNotExist' }] } }] }] })],
    expected: intoXaOnlyFrom(1, 2, 3, 4, 5),
  },
  {
    name: 'matchLabels and matchExpressions in one selector are ANDed',
    manifests: [np('x', 'p', {
      podSelector: pod('a'),
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' }, matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] } }] }],
    })],
    expected: intoXaOnlyFrom(3, 4, 5),
  },
  {
    name: 'two policies selecting one pod: their rules are unioned',
    manifests: [
      np('x', 'from-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: pod('a') }] }] }),
      np('x', 'from-z', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: ns('z'), podSelector: pod('c') }] }] }),
    ],
    expected: ['X.. XXX XXX', '.X. XXX XXX', '..X XXX XXX', 'X.. XXX XXX', '... XXX XXX', '... XXX XXX', '... XXX XXX', '... XXX XXX', 'XXX XXX XXX'],
  },
  {
    name: 'numeric port: 80 admitted',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] })],
    expected: ALL,
  },
  {
    name: 'numeric port: 81 refused when only 80 is listed',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] })],
    port: 81,
    expected: INTO_XA_DENIED,
  },
  {
    name: 'numeric port with default protocol TCP does not admit UDP',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80 }] }] })],
    protocol: 'UDP',
    expected: INTO_XA_DENIED,
  },
  {
    name: 'named ingress port resolves against the server container ports',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 81,
    expected: ALL,
  },
  {
    name: 'named ingress port does not admit another port number',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    expected: INTO_XA_DENIED,
  },
  {
    name: 'named port needs the protocol to match: serve-80-udp with default TCP admits nothing',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-80-udp' }] }] })],
    expected: INTO_XA_DENIED,
  },
  {
    name: 'named port with protocol UDP',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] })],
    protocol: 'UDP',
    expected: ALL,
  },
  {
    name: 'named egress port resolves against the destination pod',
    manifests: [np('x', 'p', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 81,
    expected: ALL,
  },
  {
    name: 'named egress port: other port numbers are refused',
    manifests: [np('x', 'p', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    expected: ['X.. ... ...', ...Array(8).fill('XXX XXX XXX')],
  },
  {
    name: 'endPort range 80-81 admits 81',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80, endPort: 81 }] }] })],
    port: 81,
    expected: ALL,
  },
  {
    name: 'endPort range 81-90 refuses 80',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 81, endPort: 90 }] }] })],
    expected: INTO_XA_DENIED,
  },
  {
    name: 'protocol UDP rule admits UDP 80',
    manifests: [np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] })],
    protocol: 'UDP',
    expected: ALL,
  },
  {
    name: 'protocol UDP rule refuses TCP 80',
    manifests: [np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] })],
    expected: INTO_X_DENIED,
  },
  {
    name: 'protocol SCTP rule admits SCTP 81',
    manifests: [np('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: ns('y') }], ports: [{ port: 81, protocol: 'SCTP' }] }] })],
    port: 81,
    protocol: 'SCTP',
    expected: ['X.. XXX XXX', '.X. XXX XXX', '..X XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', '... XXX XXX', '... XXX XXX', '... XXX XXX'],
  },
  {
    name: 'port without number admits every port of its protocol',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ protocol: 'SCTP' }] }] })],
    port: 81,
    protocol: 'SCTP',
    expected: ALL,
  },
  {
    name: 'several ports in one rule',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80, protocol: 'UDP' }, { port: 81, protocol: 'UDP' }] }] })],
    port: 81,
    protocol: 'UDP',
    expected: ALL,
  },
  {
    name: 'ipBlock matches pods by IP',
    world: { ips: 'v4' },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }] })],
    expected: intoXaOnlyFrom(3, 4, 5),
  },
  {
    name: 'ipBlock except carves pods out',
    world: { ips: 'v4' },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24', '10.0.2.2/32'] } }] }] })],
    expected: intoXaOnlyFrom(1, 2, 6, 8),
  },
  {
    name: 'ipBlock never matches pods without an ip',
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
    expected: INTO_XA_DENIED,
  },
  {
    name: 'IPv6 ipBlock matches IPv6 pod ips',
    world: { ips: 'v6' },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: 'fd00::20/124' } }] }] })],
    expected: intoXaOnlyFrom(6, 7, 8),
  },
  {
    name: 'egress ipBlock to pods by IP',
    world: { ips: 'v4' },
    manifests: [np('x', 'p', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.2.0/24', except: ['10.0.2.3/32'] } }] }] })],
    expected: ['X.. ... XX.', ...Array(8).fill('XXX XXX XXX')],
  },
  {
    name: 'default-deny egress plus egress to pod=a in the same namespace',
    manifests: [
      np('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] }),
      np('x', 'to-a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: pod('a') }] }] }),
    ],
    expected: ['X.. ... ...', 'XX. ... ...', 'X.X ... ...', ...Array(6).fill('XXX XXX XXX')],
  },
  {
    name: 'egress to: [] with a port admits every destination on that port only',
    manifests: [np('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [], ports: [{ port: 81 }] }] })],
    expected: FROM_X_DENIED,
  },
  {
    name: 'egress to namespace z combined with ingress isolation of z/c',
    manifests: [
      np('x', 'to-z', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('z') }] }] }),
      np('z', 'c-from-y', { podSelector: pod('c'), ingress: [{ from: [{ namespaceSelector: ns('y') }] }] }),
    ],
    expected: ['X.. ... XX.', '.X. ... XX.', '..X ... XX.', 'XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XX.', 'XXX XXX XX.', 'XXX XXX XXX'],
  },
  {
    name: 'ambient pods: admitting the app port alone is not enough, HBONE 15008 is needed too',
    world: { nsLabels: { x: { 'istio.io/dataplane-mode': 'ambient' }, y: { 'istio.io/dataplane-mode': 'ambient' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80 }] }] })],
    expected: ['XXX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX'],
  },
  {
    name: 'ambient pods: admitting the app port and 15008 allows the flow',
    world: { nsLabels: { x: { 'istio.io/dataplane-mode': 'ambient' }, y: { 'istio.io/dataplane-mode': 'ambient' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80 }, { port: 15008 }] }] })],
    expected: ALL,
  },
  {
    name: 'ambient: a pod labelled istio.io/dataplane-mode=none needs no HBONE port',
    world: { nsLabels: { x: { 'istio.io/dataplane-mode': 'ambient' }, y: { 'istio.io/dataplane-mode': 'ambient' } }, podLabels: { 'y/b': { 'istio.io/dataplane-mode': 'none' } } },
    manifests: [np('x', 'p', { podSelector: pod('a'), ingress: [{ ports: [{ port: 80 }] }] })],
    expected: ['XXX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', '.XX XXX XXX', 'XXX XXX XXX', '.XX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX', 'XXX XXX XXX'],
  },
];

describe('NetworkPolicy conformance (9-pod truth tables)', () => {
  test('there are at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(CASES.map(c => [c.name, c] as const))('%s', (_, c) => {
    const r = world(c.manifests, c.world);
    expect(truthTable(r, c.port ?? 80, c.protocol ?? 'TCP')).toEqual(c.expected);
    expect(truthTable(r, c.port ?? 80, c.protocol ?? 'TCP', true)).toEqual(c.expected);
  });
});

describe('NetworkPolicy with external addresses', () => {
  const policies = [
    np('x', 'in', { podSelector: pod('a'), ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] }] }),
    np('x', 'out', { podSelector: pod('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] }] }),
  ];
  const r = world(policies);

  test('ingress from an external address follows ipBlock and except', () => {
    expect(r.isAllowed({ from: '192.168.2.9', to: 'x/a', port: 80 })).toBe(true);
    expect(r.isAllowed({ from: '192.168.1.9', to: 'x/a', port: 80 })).toBe(false);
    expect(r.isAllowed({ from: '172.16.0.1', to: 'x/a', port: 80 })).toBe(false);
  });

  test('egress to an external address follows ipBlock, except and ports', () => {
    expect(r.isAllowed({ from: 'x/a', to: '8.8.8.8', port: 443 })).toBe(true);
    expect(r.isAllowed({ from: 'x/a', to: '8.8.8.8', port: 80 })).toBe(false);
    expect(r.isAllowed({ from: 'x/a', to: '10.1.2.3', port: 443 })).toBe(false);
  });

  test('pod and namespace selectors never match an external address', () => {
    const open = world([np('x', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
    expect(open.isAllowed({ from: '1.2.3.4', to: 'x/a', port: 80 })).toBe(false);
    expect(open.isAllowed({ from: '1.2.3.4', to: 'y/a', port: 80 })).toBe(true);
  });

  test('a named egress port never matches an external address', () => {
    const named = world([np('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })]);
    expect(named.isAllowed({ from: 'x/a', to: '1.2.3.4', port: 80 })).toBe(false);
    expect(named.isAllowed({ from: 'x/a', to: 'y/b', port: 80 })).toBe(true);
  });
});

describe('NetworkPolicy validation', () => {
  const analyze = (spec: any, apiVersion = 'networking.k8s.io/v1') =>
    () => world([{ apiVersion, kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec }]);

  test.each([
    ['an unknown apiVersion', analyze({ podSelector: {} }, 'extensions/v1beta1'), 'NetworkPolicy x/p: unsupported apiVersion "extensions/v1beta1" (expected networking.k8s.io/v1)'],
    ['a missing spec', analyze(undefined), 'NetworkPolicy x/p: spec is required'],
    ['an unknown spec field', analyze({ podSelector: {}, ingres: [] }), 'NetworkPolicy x/p: spec.ingres: field not supported by the analyzer'],
    ['an unknown policy type', analyze({ podSelector: {}, policyTypes: ['Both'] }), 'NetworkPolicy x/p: spec.policyTypes[0]: unknown policy type "Both"'],
    ['an unknown rule field', analyze({ podSelector: {}, ingress: [{ to: [] }] }), 'NetworkPolicy x/p: spec.ingress[0].to: field not supported by the analyzer'],
    ['an empty peer', analyze({ podSelector: {}, ingress: [{ from: [{}] }] }), 'NetworkPolicy x/p: spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock'],
    ['ipBlock with a selector', analyze({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '1.0.0.0/8' }, podSelector: {} }] }] }),
      'NetworkPolicy x/p: spec.ingress[0].from[0]: ipBlock cannot be combined with a selector'],
    ['an invalid CIDR', analyze({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] }), 'NetworkPolicy x/p: spec.egress[0].to[0].ipBlock.cidr: invalid CIDR "10.0.0.0"'],
    ['an unknown protocol', analyze({ podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] }), 'NetworkPolicy x/p: spec.ingress[0].ports[0].protocol: unsupported protocol "ICMP"'],
    ['a numeric string port', analyze({ podSelector: {}, ingress: [{ ports: [{ port: '80' }] }] }), 'NetworkPolicy x/p: spec.ingress[0].ports[0].port: invalid port name "80"'],
    ['endPort with a named port', analyze({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }), 'NetworkPolicy x/p: spec.ingress[0].ports[0].endPort: requires a numeric port'],
    ['endPort below port', analyze({ podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }), 'NetworkPolicy x/p: spec.ingress[0].ports[0].endPort: must be a port number >= port'],
    ['an unknown selector operator', analyze({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } }),
      'NetworkPolicy x/p: spec.podSelector.matchExpressions[0].operator: unknown operator "Gt" (expected one of In, NotIn, Exists, DoesNotExist)'],
  ])('rejects %s', (_, build, message) => {
    expect(build).toThrow(message);
  });

  test('the error message is exact for an unknown apiVersion', () => {
    expect(analyze({ podSelector: {} }, 'v2')).toThrow(/^NetworkPolicy x\/p: unsupported apiVersion "v2"/);
  });
});

describe('NetworkPolicy peers repeated across policies', () => {
  const from = (labels: Record<string, string>) => [{ from: [{ podSelector: { matchLabels: labels } }] }];
  const only = (target: string, labels: Record<string, string>) =>
    np(target.split('/')[0], target.split('/')[1], { podSelector: pod(target.split('/')[1]), policyTypes: ['Ingress'], ingress: from(labels) });

  test('the same peer text selects pods of its own policy\'s namespace', () => {
    const r = world([only('x/a', { pod: 'b' }), only('y/a', { pod: 'b' })]);
    expect([r.isAllowed({ from: 'x/b', to: 'x/a', port: 80 }), r.isAllowed({ from: 'y/b', to: 'x/a', port: 80 })]).toEqual([true, false]);
    expect([r.isAllowed({ from: 'y/b', to: 'y/a', port: 80 }), r.isAllowed({ from: 'x/b', to: 'y/a', port: 80 })]).toEqual([true, false]);
  });

  test('peers whose labels differ only in where a separator falls are told apart', () => {
    const r = world([only('x/a', { 't:u': 'v' }), only('x/c', { t: 'u:v' })], { podLabels: { 'x/b': { 't:u': 'v' } } });
    expect(r.isAllowed({ from: 'x/b', to: 'x/a', port: 80 })).toBe(true);
    expect(r.isAllowed({ from: 'x/b', to: 'x/c', port: 80 })).toBe(false);
  });
});
