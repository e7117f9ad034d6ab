import { PodInput, Reachability, ReachabilityOptions } from '../../src';
import { istioStringMatch } from '../../src/analyzer/_http-match';
import { meshMode } from '../../src/analyzer/_istio-authz-eval';

/*
 * Istio semantics through the authorization layer alone: foo and bar have sidecar injection, legacy is out of the
 * mesh, istio-system is the root namespace. httpbin serves 8000 and 9000.
 */

function pa(namespace: string, name: string, spec: any, extra: any = {}): any {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace, ...extra }, spec };
}

function ap(namespace: string, name: string, spec: any, apiVersion = 'security.istio.io/v1'): any {
  return { apiVersion, kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec };
}

const httpbin = { matchLabels: { app: 'httpbin' } };

function mesh(manifests: any[], options: ReachabilityOptions = {}, extraPods: PodInput[] = []): Reachability {
  const pod = (namespace: string, name: string, ip: string): PodInput => ({
    namespace, name, ip, labels: { app: name }, serviceAccount: name, ports: [{ port: 8000 }, { port: 9000 }],
  });
  return Reachability.analyze({
    ...options,
    namespaces: [
      { name: 'foo', labels: { 'istio-injection': 'enabled' } },
      { name: 'bar', labels: { 'istio-injection': 'enabled' } },
      { name: 'legacy' },
    ],
    pods: [
      pod('foo', 'httpbin', '10.0.0.1'), pod('foo', 'sleep', '10.0.0.2'), pod('bar', 'sleep', '10.0.1.2'), pod('legacy', 'sleep', '10.0.2.2'),
      ...extraPods,
    ],
    manifests,
  });
}

/** The authorization-layer verdicts into foo/httpbin:<port> from foo/sleep, bar/sleep, legacy/sleep. */
function authz(r: Reachability, port = 8000): boolean[] {
  return ['foo/sleep', 'bar/sleep', 'legacy/sleep'].map(from => r.check({ from, to: 'foo/httpbin', port }).authorization);
}

function reasons(r: Reachability, from: string, port = 8000, to = 'foo/httpbin'): string[] {
  return r.explain({ from, to, port }).authorization.reasons;
}

describe('PeerAuthentication', () => {
  test('no policy: PERMISSIVE, plaintext from outside the mesh is accepted', () => {
    const r = mesh([]);
    expect(authz(r)).toEqual([true, true, true]);
    expect(reasons(r, 'legacy/sleep')).toContain('mTLS mode of foo/httpbin on port 8000: PERMISSIVE, from no PeerAuthentication sets a mode (default)');
  });

  test('namespace-level STRICT refuses plaintext clients', () => {
    const r = mesh([pa('foo', 'strict', { mtls: { mode: 'STRICT' } })]);
    expect(authz(r)).toEqual([true, true, false]);
    expect(reasons(r, 'legacy/sleep')).toEqual([
      'mTLS mode of foo/httpbin on port 8000: STRICT, from foo/strict (namespace-level)',
      'STRICT mTLS refuses plaintext and legacy/sleep is not in the mesh',
    ]);
  });

  test('mesh-wide STRICT in the root namespace applies everywhere', () => {
    expect(authz(mesh([pa('istio-system', 'default', { mtls: { mode: 'STRICT' } })]))).toEqual([true, true, false]);
  });

  test('a root-namespace policy with a selector is not mesh-wide', () => {
    expect(authz(mesh([pa('istio-system', 'scoped', { selector: httpbin, mtls: { mode: 'STRICT' } })]))).toEqual([true, true, true]);
  });

  test('the root namespace is configurable', () => {
    expect(authz(mesh([pa('mesh-root', 'default', { mtls: { mode: 'STRICT' } })], { rootNamespace: 'mesh-root' }))).toEqual([true, true, false]);
  });

  test('namespace-level overrides mesh-wide', () => {
    const r = mesh([pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }), pa('foo', 'permissive', { mtls: { mode: 'PERMISSIVE' } })]);
    expect(authz(r)).toEqual([true, true, true]);
  });

  test('workload-level overrides namespace-level', () => {
    const r = mesh([pa('foo', 'strict', { mtls: { mode: 'STRICT' } }), pa('foo', 'httpbin', { selector: httpbin, mtls: { mode: 'PERMISSIVE' } })]);
    expect(authz(r)).toEqual([true, true, true]);
    expect(reasons(r, 'legacy/sleep')[0]).toBe('mTLS mode of foo/httpbin on port 8000: PERMISSIVE, from foo/httpbin (workload-level)');
  });

  test('a workload-level policy whose selector does not match does not apply', () => {
    const r = mesh([pa('foo', 'other', { selector: { matchLabels: { app: 'other' } }, mtls: { mode: 'STRICT' } })]);
    expect(authz(r)).toEqual([true, true, true]);
  });

  test('UNSET inherits: workload UNSET -> namespace UNSET -> mesh-wide STRICT', () => {
    const r = mesh([
      pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      pa('foo', 'unset', { mtls: { mode: 'UNSET' } }),
      pa('foo', 'httpbin', { selector: httpbin }),
    ]);
    expect(authz(r)).toEqual([true, true, false]);
    expect(reasons(r, 'legacy/sleep')[0]).toBe('mTLS mode of foo/httpbin on port 8000: STRICT, from istio-system/default (mesh-wide)');
  });

  test('port-level mTLS wins for its port only', () => {
    const r = mesh([pa('foo', 'httpbin', { selector: httpbin, mtls: { mode: 'STRICT' }, portLevelMtls: { 9000: { mode: 'PERMISSIVE' } } })]);
    expect(authz(r, 8000)).toEqual([true, true, false]);
    expect(authz(r, 9000)).toEqual([true, true, true]);
    expect(reasons(r, 'legacy/sleep', 9000)[0]).toBe('mTLS mode of foo/httpbin on port 9000: PERMISSIVE, from foo/httpbin (workload-level, portLevelMtls 9000)');
  });

  test('port-level UNSET inherits the workload mode, then the namespace mode', () => {
    const r = mesh([
      pa('foo', 'strict', { mtls: { mode: 'STRICT' } }),
      pa('foo', 'httpbin', { selector: httpbin, portLevelMtls: { 9000: { mode: 'UNSET' }, 8000: { mode: 'DISABLE' } } }),
    ]);
    expect(authz(r, 9000)).toEqual([true, true, false]);
    expect(authz(r, 8000)).toEqual([true, true, true]);
  });

  test('DISABLE: mesh clients speak plaintext, so they carry no identity', () => {
    const r = mesh([
      pa('foo', 'httpbin', { selector: httpbin, mtls: { mode: 'DISABLE' } }),
      ap('foo', 'allow-sleep', { selector: httpbin, rules: [{ from: [{ source: { principals: ['cluster.local/ns/foo/sa/sleep'] } }] }] }),
    ]);
    expect(authz(r)).toEqual([false, false, false]);
    expect(reasons(r, 'foo/sleep')).toContain('connection is plaintext (mTLS DISABLEd): no peer identity');
  });

  test.each([{}, { matchLabels: {} }])('a selector %j without labels is namespace-level, as Istio reads it', selector => {
    const strict = pa('foo', 'strict', { selector, mtls: { mode: 'STRICT' } });
    expect(reasons(mesh([strict]), 'legacy/sleep')[0]).toBe('mTLS mode of foo/httpbin on port 8000: STRICT, from foo/strict (namespace-level)');
    // So a workload-level policy overrides it, and a second namespace-level one conflicts with it (ZT414 refuses that too).
    expect(authz(mesh([strict, pa('foo', 'httpbin', { selector: httpbin, mtls: { mode: 'PERMISSIVE' } })]))).toEqual([true, true, true]);
    expect(() => mesh([strict, pa('foo', 'default', { mtls: { mode: 'PERMISSIVE' } })]))
      .toThrow('PeerAuthentications foo/default, foo/strict all apply to foo/httpbin at namespace-level level with different settings');
    // In the root namespace it is mesh-wide.
    expect(authz(mesh([pa('istio-system', 'default', { selector, mtls: { mode: 'STRICT' } })]))).toEqual([true, true, false]);
  });

  test('two policies at one level with different settings and no creation time are refused, not guessed', () => {
    expect(() => mesh([pa('foo', 'a', { mtls: { mode: 'STRICT' } }), pa('foo', 'b', { mtls: { mode: 'PERMISSIVE' } })]))
      .toThrow('PeerAuthentications foo/a, foo/b all apply to foo/httpbin at namespace-level level with different settings; Istio uses the oldest');
  });

  test('two policies at one level: the oldest wins when creation times are given', () => {
    const r = mesh([
      pa('foo', 'a', { mtls: { mode: 'PERMISSIVE' } }, { creationTimestamp: '2024-02-01T00:00:00Z' }),
      pa('foo', 'b', { mtls: { mode: 'STRICT' } }, { creationTimestamp: '2024-01-01T00:00:00Z' }),
    ]);
    expect(authz(r)).toEqual([true, true, false]);
  });

  test('identical duplicates are no conflict', () => {
    expect(authz(mesh([pa('foo', 'a', { mtls: { mode: 'STRICT' } }), pa('foo', 'b', { mtls: { mode: 'STRICT' } })]))).toEqual([true, true, false]);
  });
});

describe('AuthorizationPolicy evaluation order', () => {
  const allowSleepFoo = ap('foo', 'allow-foo', { selector: httpbin, rules: [{ from: [{ source: { namespaces: ['foo'] } }] }] });

  test('no ALLOW policy: allowed', () => {
    const r = mesh([ap('foo', 'deny-nothing', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['nope'] } }] }] })]);
    expect(authz(r)).toEqual([true, true, true]);
    expect(reasons(r, 'bar/sleep')).toContain('no ALLOW policy applies: allowed');
  });

  test('ALLOW policies present but none matching: denied', () => {
    const r = mesh([allowSleepFoo]);
    expect(authz(r)).toEqual([true, false, false]);
    expect(reasons(r, 'bar/sleep')).toContain('ALLOW policies foo/allow-foo apply but none matches: denied');
    expect(reasons(r, 'foo/sleep')).toContain('ALLOW policy foo/allow-foo rules[0] matches: allowed');
  });

  test('an ALLOW policy with an empty spec denies all', () => {
    expect(authz(mesh([ap('foo', 'allow-nothing', {})]))).toEqual([false, false, false]);
  });

  test('an ALLOW policy with the rule {} allows all', () => {
    expect(authz(mesh([ap('foo', 'allow-all', { rules: [{}] }), allowSleepFoo]))).toEqual([true, true, true]);
  });

  test('DENY wins over ALLOW', () => {
    const r = mesh([ap('foo', 'allow-all', { rules: [{}] }), ap('foo', 'deny-bar', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] })]);
    expect(authz(r)).toEqual([true, false, true]);
    expect(reasons(r, 'bar/sleep')).toContain('DENY policy foo/deny-bar rules[0] matches: denied');
  });

  test('a DENY policy without rules denies nothing', () => {
    expect(authz(mesh([ap('foo', 'deny-none', { action: 'DENY' })]))).toEqual([true, true, true]);
  });

  test('a matching CUSTOM policy is assumed to permit, then DENY and ALLOW still apply', () => {
    const r = mesh([
      ap('foo', 'ext', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
      ap('foo', 'deny-legacy', { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['10.0.2.0/24'] } }] }] }),
    ]);
    expect(authz(r)).toEqual([true, true, false]);
    expect(reasons(r, 'foo/sleep')).toContain('CUSTOM policy foo/ext rules[0] matches: the external authorizer opa decides; assumed to permit');
  });

  test('AUDIT has no effect', () => {
    const r = mesh([ap('foo', 'audit', { action: 'AUDIT', rules: [{}] })]);
    expect(authz(r)).toEqual([true, true, true]);
    expect(reasons(r, 'foo/sleep')).toContain('AUDIT policy foo/audit has no effect on access');
  });

  test('a dry-run policy (istio.io/dry-run, read as Go reads a bool) is not enforced; explain says so', () => {
    const dry = (policy: any, value: string) => ({ ...policy, metadata: { ...policy.metadata, annotations: { 'istio.io/dry-run': value } } });
    const allowNothing = ap('foo', 'allow-nothing', {});
    const denyBar = ap('foo', 'deny-bar', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] });
    const r = mesh([dry(allowNothing, 'true'), dry(denyBar, 'T')]);
    expect(authz(r)).toEqual([true, true, true]);
    expect(reasons(r, 'bar/sleep')).toEqual(expect.arrayContaining([
      'ALLOW policy foo/allow-nothing is dry-run (istio.io/dry-run): Istio logs its verdict and does not enforce it',
      'DENY policy foo/deny-bar is dry-run (istio.io/dry-run): Istio logs its verdict and does not enforce it',
      'no ALLOW policy applies: allowed',
    ]));
    expect(authz(mesh([dry(allowSleepFoo, 'true'), allowNothing]))).toEqual([false, false, false]);
    expect(authz(mesh([dry(allowNothing, 'false'), dry(denyBar, 'yes')]))).toEqual([false, false, false]);
  });

  test('a policy without selector applies to the whole namespace; with one, to matching workloads only', () => {
    expect(authz(mesh([ap('foo', 'nothing', { selector: { matchLabels: { app: 'other' } } })]))).toEqual([true, true, true]);
    expect(authz(mesh([ap('foo', 'nothing', {})]))).toEqual([false, false, false]);
    expect(authz(mesh([ap('bar', 'nothing', {})]))).toEqual([true, true, true]);
  });

  test('root-namespace policies apply mesh-wide, with their selector matched in every namespace', () => {
    expect(authz(mesh([ap('istio-system', 'nothing', {})]))).toEqual([false, false, false]);
    expect(authz(mesh([ap('istio-system', 'nothing', { selector: httpbin })]))).toEqual([false, false, false]);
    expect(authz(mesh([ap('istio-system', 'nothing', { selector: { matchLabels: { app: 'other' } } })]))).toEqual([true, true, true]);
  });
});

describe('AuthorizationPolicy fields', () => {
  const allow = (source: any, to?: any) => mesh([ap('foo', 'allow', { rules: [{ from: [{ source }], ...(to ? { to } : {}) }] })]);

  test('principals match the peer identity, with prefix and suffix wildcards', () => {
    expect(authz(allow({ principals: ['cluster.local/ns/bar/sa/sleep'] }))).toEqual([false, true, false]);
    expect(authz(allow({ principals: ['cluster.local/ns/foo/*'] }))).toEqual([true, false, false]);
    expect(authz(allow({ principals: ['*/sa/sleep'] }))).toEqual([true, true, false]);
    expect(authz(allow({ principals: ['*'] }))).toEqual([true, true, false]);
  });

  test('principals use the trust domain', () => {
    const r = mesh([ap('foo', 'allow', { rules: [{ from: [{ source: { principals: ['example.org/ns/bar/sa/sleep'] } }] }] })], { trustDomain: 'example.org' });
    expect(authz(r)).toEqual([false, true, false]);
  });

  test('notPrincipals', () => {
    expect(authz(allow({ notPrincipals: ['cluster.local/ns/bar/sa/sleep'] }))).toEqual([true, false, true]);
  });

  test('namespaces and notNamespaces', () => {
    expect(authz(allow({ namespaces: ['bar'] }))).toEqual([false, true, false]);
    expect(authz(allow({ notNamespaces: ['bar'] }))).toEqual([true, false, true]);
  });

  test('principals and namespaces match only over mTLS; explain says so', () => {
    const r = allow({ namespaces: ['legacy'] });
    expect(authz(r)).toEqual([false, false, false]);
    expect(reasons(r, 'legacy/sleep')).toEqual([
      'mTLS mode of foo/httpbin on port 8000: PERMISSIVE, from no PeerAuthentication sets a mode (default)',
      'connection is plaintext (legacy/sleep is not in the mesh): no peer identity',
      'foo/allow uses principals/namespaces, which match only over mTLS: on plaintext they never match and their not-forms always match',
      'ALLOW policies foo/allow apply but none matches: denied',
    ]);
  });

  test('on plaintext, not-forms always match: a DENY on principals is bypassed, an ALLOW on notNamespaces admits', () => {
    const deny = mesh([ap('foo', 'deny', { action: 'DENY', rules: [{ from: [{ source: { principals: ['*'] } }] }] })]);
    expect(authz(deny)).toEqual([false, false, true]);
    expect(authz(allow({ notNamespaces: ['legacy'] }))).toEqual([true, true, true]);
    const denyPlaintext = mesh([ap('foo', 'deny', { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] })]);
    expect(authz(denyPlaintext)).toEqual([true, true, false]);
  });

  test('ipBlocks and notIpBlocks match the client ip, over plaintext too', () => {
    expect(authz(allow({ ipBlocks: ['10.0.1.0/24', '10.0.2.2'] }))).toEqual([false, true, true]);
    expect(authz(allow({ notIpBlocks: ['10.0.0.0/24'] }))).toEqual([false, true, true]);
  });

  test('ipBlocks match external clients; those have no identity', () => {
    const r = allow({ ipBlocks: ['203.0.113.0/24'] });
    expect(r.check({ from: '203.0.113.5', to: 'foo/httpbin', port: 8000 }).authorization).toBe(true);
    expect(r.check({ from: '198.51.100.5', to: 'foo/httpbin', port: 8000 }).authorization).toBe(false);
  });

  test('ipBlocks never match a client without ip; explain says so', () => {
    const r = mesh([ap('foo', 'allow', { rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }] })], {}, [{ namespace: 'bar', name: 'noip', serviceAccount: 'x' }]);
    expect(r.check({ from: 'bar/noip', to: 'foo/httpbin', port: 8000 }).authorization).toBe(false);
    expect(reasons(r, 'bar/noip')).toContain('foo/allow uses ipBlocks but the client has no known ip: ipBlocks never match it and notIpBlocks always do');
  });

  test('several fields of one source are ANDed, several sources ORed', () => {
    expect(authz(allow({ namespaces: ['foo'], principals: ['*/sa/other'] }))).toEqual([false, false, false]);
    const r = mesh([ap('foo', 'allow', { rules: [{ from: [{ source: { namespaces: ['foo'] } }, { source: { ipBlocks: ['10.0.2.0/24'] } }] }] })]);
    expect(authz(r)).toEqual([true, false, true]);
  });

  test('ports and notPorts match the destination port', () => {
    const r = mesh([ap('foo', 'allow', { rules: [{ to: [{ operation: { ports: ['9000'] } }] }] })]);
    expect(authz(r, 9000)).toEqual([true, true, true]);
    expect(authz(r, 8000)).toEqual([false, false, false]);
    const not = mesh([ap('foo', 'allow', { rules: [{ to: [{ operation: { notPorts: ['9000'] } }] }] })]);
    expect(authz(not, 9000)).toEqual([false, false, false]);
    expect(authz(not, 8000)).toEqual([true, true, true]);
  });

  test('from and to of one rule are ANDed', () => {
    const r = mesh([ap('foo', 'allow', { rules: [{ from: [{ source: { namespaces: ['bar'] } }], to: [{ operation: { ports: ['9000'] } }] }] })]);
    expect(authz(r, 9000)).toEqual([false, true, false]);
    expect(authz(r, 8000)).toEqual([false, false, false]);
  });

  test('v1beta1 is read like v1', () => {
    expect(authz(mesh([ap('foo', 'nothing', {}, 'security.istio.io/v1beta1')]))).toEqual([false, false, false]);
  });
});

describe('mesh membership', () => {
  test('a destination outside the mesh is not enforced; explain says so', () => {
    const r = mesh([ap('legacy', 'nothing', {})]);
    expect(r.check({ from: 'foo/sleep', to: 'legacy/sleep', port: 8000 }).authorization).toBe(true);
    expect(reasons(r, 'foo/sleep', 8000, 'legacy/sleep')).toEqual(['legacy/sleep is not in the mesh: no proxy enforces PeerAuthentication or AuthorizationPolicy']);
  });

  test('Istio intercepts TCP only', () => {
    const r = mesh([ap('foo', 'nothing', {})]);
    expect(r.explain({ from: 'foo/sleep', to: 'foo/httpbin', port: 8000, protocol: 'UDP' }).authorization)
      .toEqual({ allowed: true, reasons: ['Istio intercepts TCP only: UDP traffic bypasses the proxy'] });
  });

  test('sidecar.istio.io/inject=false opts a pod out; =true opts it in; meshed overrides', () => {
    const nothing = [ap('foo', 'nothing', {}), ap('legacy', 'nothing', {})];
    const r = mesh(nothing, {}, [
      { namespace: 'foo', name: 'out', labels: { 'sidecar.istio.io/inject': 'false' } },
      { namespace: 'legacy', name: 'in', labels: { 'sidecar.istio.io/inject': 'true' } },
      { namespace: 'foo', name: 'forced-out', meshed: false },
      { namespace: 'legacy', name: 'forced-in', meshed: true },
    ]);
    const enforced = (to: string) => !r.check({ from: 'foo/sleep', to, port: 80 }).authorization;
    expect(['foo/out', 'legacy/in', 'foo/forced-out', 'legacy/forced-in'].map(enforced)).toEqual([false, true, false, true]);
  });

  test('ambient namespaces and istio.io/rev revisions are in the mesh', () => {
    const r = Reachability.analyze({
      namespaces: [{ name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient' } }, { name: 'rev', labels: { 'istio.io/rev': 'canary' } }],
      pods: [{ namespace: 'amb', name: 'a' }, { namespace: 'amb', name: 'none', labels: { 'istio.io/dataplane-mode': 'none' } }, { namespace: 'rev', name: 'r' }],
      manifests: [ap('amb', 'nothing', {}), ap('rev', 'nothing', {})],
    });
    expect(r.check({ from: 'rev/r', to: 'amb/a', port: 80 }).authorization).toBe(false);
    expect(r.check({ from: 'rev/r', to: 'amb/none', port: 80 }).authorization).toBe(true);
    expect(r.check({ from: 'amb/a', to: 'rev/r', port: 80 }).authorization).toBe(false);
  });
});

describe('unsupported Istio input is an error naming the object and field', () => {
  test.each([
    [ap('foo', 'p', { rules: [{ when: [{ key: 'request.headers[x]', values: ['1'] }] }] }), 'AuthorizationPolicy foo/p: spec.rules[0].when[0].key: the analyzer models only the condition connection.sni, not "request.headers[x]"'],
    [ap('foo', 'p', { rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }] }), 'AuthorizationPolicy foo/p: spec.rules[0].when[0].key: the analyzer models only the condition connection.sni, not "request.auth.claims[iss]"'],
    [ap('foo', 'p', { rules: [{ from: [{ source: { remoteIpBlocks: ['1.2.3.4'] } }] }] }), 'AuthorizationPolicy foo/p: spec.rules[0].from[0].source.remoteIpBlocks: field not supported by the analyzer'],
    [ap('foo', 'p', { rules: [{ to: [{ operation: { methods: 'GET' } }] }] }), 'AuthorizationPolicy foo/p: spec.rules[0].to[0].operation.methods: expected a list of strings'],
    [ap('foo', 'p', { targetRef: { kind: 'Gateway', name: 'g' } }), 'AuthorizationPolicy foo/p: spec.targetRef: the analyzer models only spec.targetRefs to Services'],
    [ap('foo', 'p', { targetRefs: [] }), 'AuthorizationPolicy foo/p: spec.targetRefs: expected a non-empty list'],
    [ap('foo', 'p', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] }),
      'AuthorizationPolicy foo/p: spec.targetRefs[0]: the analyzer models only targetRefs to a Service (group ""), not "gateway.networking.k8s.io/Gateway"'],
    [ap('foo', 'p', { targetRefs: [{ kind: 'Service', name: 'api', namespace: 'bar' }] }),
      'AuthorizationPolicy foo/p: spec.targetRefs[0].namespace: a policy targets Services of its own namespace only'],
    [ap('foo', 'p', { targetRefs: [{ kind: 'Service', name: 'api' }], selector: { matchLabels: { app: 'api' } } }),
      'AuthorizationPolicy foo/p: spec.targetRefs and spec.selector are exclusive (Istio rejects both)'],
    [ap('foo', 'p', { action: 'LOG' }), 'AuthorizationPolicy foo/p: spec.action: unknown action "LOG"'],
    [ap('foo', 'p', { rules: [{ from: [{ source: {} }] }] }), 'AuthorizationPolicy foo/p: spec.rules[0].from[0].source: must not be empty (Istio rejects it)'],
    [ap('foo', 'p', {}, 'security.istio.io/v1alpha1'), 'AuthorizationPolicy foo/p: unsupported apiVersion "security.istio.io/v1alpha1" (expected security.istio.io/v1 or security.istio.io/v1beta1)'],
    [pa('foo', 'p', { mtls: { mode: 'MUTUAL' } }), 'PeerAuthentication foo/p: spec.mtls.mode: unknown mode "MUTUAL"'],
    [pa('foo', 'p', { portLevelMtls: { 80: { mode: 'STRICT' } } }), 'PeerAuthentication foo/p: spec.portLevelMtls requires spec.selector with matchLabels (Istio rejects it otherwise)'],
    [pa('foo', 'p', { selector: { matchLabels: {} }, portLevelMtls: { 80: { mode: 'STRICT' } } }), 'PeerAuthentication foo/p: spec.portLevelMtls requires spec.selector with matchLabels'],
    [pa('foo', 'p', { selector: { matchExpressions: [] } }), 'PeerAuthentication foo/p: spec.selector.matchExpressions: field not supported by the analyzer'],
  ])('%#: %s', (manifest, message) => {
    expect(() => mesh([manifest])).toThrow(message);
  });
});

describe('istioStringMatch', () => {
  test.each([
    ['*', 'x', true], ['*', '', false], ['abc*', 'abcd', true], ['abc*', 'xabc', false],
    ['*abc', 'xabc', true], ['*abc', 'abcx', false], ['abc', 'abc', true], ['abc', 'abcd', false],
  ])('%j vs %j', (pattern, value, expected) => {
    expect(istioStringMatch(pattern, value)).toBe(expected);
  });
});

describe('meshMode', () => {
  test.each([
    [{}, {}, undefined, undefined],
    [{}, { 'istio-injection': 'enabled' }, undefined, 'sidecar'],
    [{ 'sidecar.istio.io/inject': 'false' }, { 'istio-injection': 'enabled' }, undefined, undefined],
    [{}, { 'istio.io/rev': 'canary' }, undefined, 'sidecar'],
    [{}, { 'istio.io/rev': 'canary', 'istio-injection': 'disabled' }, undefined, undefined],
    [{ 'sidecar.istio.io/inject': 'true' }, {}, undefined, 'sidecar'],
    [{ 'sidecar.istio.io/inject': 'true' }, { 'istio-injection': 'disabled' }, undefined, undefined],
    // Istio's injector: y, yes, true, on (any case) inject; any other non-empty value opts out; empty is the default.
    [{ 'sidecar.istio.io/inject': 'no' }, { 'istio-injection': 'enabled' }, undefined, undefined],
    [{ 'sidecar.istio.io/inject': 'Disabled' }, { 'istio.io/rev': 'canary' }, undefined, undefined],
    [{ 'sidecar.istio.io/inject': 'YES' }, { 'istio-injection': 'enabled' }, undefined, 'sidecar'],
    [{ 'sidecar.istio.io/inject': '' }, { 'istio-injection': 'enabled' }, undefined, 'sidecar'],
    // Without namespace injection labels the webhook is called for the label value "true" alone.
    [{ 'sidecar.istio.io/inject': 'yes' }, {}, undefined, undefined],
    // Opting out of the sidecar leaves ambient enrolment alone.
    [{ 'sidecar.istio.io/inject': 'off' }, { 'istio.io/dataplane-mode': 'ambient' }, undefined, 'ambient'],
    [{}, { 'istio.io/dataplane-mode': 'ambient' }, undefined, 'ambient'],
    [{ 'istio.io/dataplane-mode': 'ambient' }, {}, undefined, 'ambient'],
    [{ 'istio.io/dataplane-mode': 'none' }, { 'istio.io/dataplane-mode': 'ambient' }, undefined, undefined],
    [{}, { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': 'enabled' }, undefined, 'sidecar'],
    [{}, {}, true, 'sidecar'],
    [{}, { 'istio.io/dataplane-mode': 'ambient' }, true, 'ambient'],
    [{}, { 'istio-injection': 'enabled' }, false, undefined],
  ])('pod %j in namespace %j, meshed %s: %s', (labels, ns, meshed, expected) => {
    expect(meshMode(labels, ns, meshed)).toBe(expected);
  });
});
