import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshMode, RuleSeverity, ZeroTrustNamespace } from '../../src';
import { ManifestContext, applySuppressions, runManifestRules } from '../../src/rules/_manifest-rules';
import { ZeroTrustRules } from '../../src/rules/zero-trust-rules';

const REASON = 'legacy agent, moved to its own identity in Q3';

/** A Deployment that runs as the default ServiceAccount (ZT411) on the host network (ZT413). */
function badDeployment(scope: Construct, id: string): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id, namespace: 'shop' },
    spec: { selector: { matchLabels: { app: id } }, template: { metadata: { labels: { app: id } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } } },
  });
}

function setup(mesh = MeshMode.SIDECAR) {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh });
  const legacy = new Construct(chart, 'legacy');
  const other = new Construct(chart, 'other');
  badDeployment(legacy, 'agent');
  badDeployment(other, 'tool');
  return { app, chart, legacy, other };
}

function context(app: App): ManifestContext {
  const objects = app.node.findAll().filter(ApiObject.isApiObject).map(o => ({ manifest: o.toJson(), path: o.node.path }));
  const namespaces = app.node.findAll().filter((c): c is ZeroTrustNamespace => c instanceof ZeroTrustNamespace);
  const managed = new Map(namespaces.map(ns => [ns.name, { mesh: ns.mesh }]));
  return { objects, managed };
}

function check(app: App) {
  const result = applySuppressions(runManifestRules(context(app)), app);
  const summary = (fs: typeof result.errors) => fs.map(f => `${f.ruleId} ${f.path}`);
  return { errors: summary(result.errors), warnings: summary(result.warnings), suppressed: summary(result.suppressed) };
}

function annotations(chart: Chart, name: string): Record<string, string> | undefined {
  return Testing.synth(chart).find(o => o.metadata.name === name)?.metadata.annotations;
}

describe('ZeroTrustRules.suppress', () => {
  test('refuses an unknown rule id', () => {
    const { legacy } = setup();
    expect(() => ZeroTrustRules.suppress(legacy, 'ZT999', REASON))
      .toThrow('ZeroTrustRules.suppress(test/legacy, ZT999): unknown zero-trust rule id "ZT999". See ZeroTrustRules.catalog() for the ids.');
  });

  test('refuses a rule that may not be suppressed', () => {
    const { legacy } = setup();
    expect(() => ZeroTrustRules.suppress(legacy, 'ZT104', REASON))
      .toThrow(/^ZeroTrustRules.suppress\(test\/legacy, ZT104\): rule ZT104 \(Flow port that the target does not expose\) cannot be suppressed/);
  });

  test.each(['', 'because', '   short    '])('refuses the too short reason %p', reason => {
    const { legacy } = setup();
    expect(() => ZeroTrustRules.suppress(legacy, 'ZT411', reason))
      .toThrow(`ZeroTrustRules.suppress(test/legacy, ZT411): the reason "${reason.trim()}" is too short. Say in at least 10 characters why breaking the rule is acceptable.`);
  });

  test('refuses a second suppression of the same rule on the same construct', () => {
    const { legacy } = setup();
    ZeroTrustRules.suppress(legacy, 'ZT411', REASON);
    expect(() => ZeroTrustRules.suppress(legacy, 'ZT411', 'another reason here')).toThrow(/rule ZT411 is already suppressed on this construct/);
  });

  test('without suppressions, errors and warnings are split by severity', () => {
    const { app } = setup(MeshMode.NONE);
    expect(check(app)).toEqual({
      errors: ['ZT411 test/legacy/agent', 'ZT413 test/legacy/agent', 'ZT411 test/other/tool', 'ZT413 test/other/tool'],
      warnings: ['ZT501 test/shop/Namespace'],
      suppressed: [],
    });
  });

  test('silences exactly its rule in its subtree', () => {
    const { app, legacy } = setup();
    ZeroTrustRules.suppress(legacy, 'ZT411', REASON);
    expect(check(app)).toEqual({
      errors: ['ZT413 test/legacy/agent', 'ZT411 test/other/tool', 'ZT413 test/other/tool'],
      warnings: [],
      suppressed: ['ZT411 test/legacy/agent'],
    });
  });

  test('covers the scope itself and objects added after the call; a warning can be suppressed too', () => {
    const { app, chart, legacy } = setup(MeshMode.NONE);
    ZeroTrustRules.suppress(chart, 'ZT413', 'node agents need the host network');
    ZeroTrustRules.suppress(app, 'ZT501', 'this test cluster has no mesh at all');
    const late = badDeployment(legacy, 'late');
    ZeroTrustRules.suppress(late, 'ZT411', REASON);
    expect(check(app)).toEqual({
      errors: ['ZT411 test/legacy/agent', 'ZT411 test/other/tool'],
      warnings: [],
      suppressed: ['ZT413 test/legacy/agent', 'ZT411 test/legacy/late', 'ZT413 test/legacy/late', 'ZT413 test/other/tool', 'ZT501 test/shop/Namespace'],
    });
  });

  test('does not cover a sibling whose path merely starts with the same text', () => {
    const { app, chart, legacy } = setup();
    badDeployment(new Construct(chart, 'legacy2'), 'x');
    ZeroTrustRules.suppress(legacy, 'ZT413', REASON);
    expect(check(app).errors).toContain('ZT413 test/legacy2/x');
  });

  test('the reason shows as an annotation on every object of the subtree, the nearest suppression winning', () => {
    const { app, chart, legacy } = setup();
    ZeroTrustRules.suppress(chart, 'ZT413', 'node agents need the host network');
    // The synth below runs the app-level guard too: the chart-wide ZT411 suppression lets it pass.
    ZeroTrustRules.suppress(chart, 'ZT411', 'legacy tools have no identity yet');
    ZeroTrustRules.suppress(legacy, 'ZT413', `  ${REASON}  `);
    ZeroTrustRules.suppress(legacy, 'ZT411', REASON);
    badDeployment(legacy, 'late');
    check(app);
    const both = { 'zero-trust.cdk8s.io/suppress.ZT411': REASON, 'zero-trust.cdk8s.io/suppress.ZT413': REASON };
    expect(annotations(chart, 'agent')).toEqual(both);
    expect(annotations(chart, 'late')).toEqual(both);
    expect(annotations(chart, 'tool')).toEqual({
      'zero-trust.cdk8s.io/suppress.ZT411': 'legacy tools have no identity yet',
      'zero-trust.cdk8s.io/suppress.ZT413': 'node agents need the host network',
    });
    // Checking again (another synth) changes nothing.
    check(app);
    expect(annotations(chart, 'agent')).toEqual(both);
  });
});

describe('ZeroTrustRules.catalog', () => {
  test('every rule in id order, the manifest rules included', () => {
    const catalog = ZeroTrustRules.catalog();
    const ids = catalog.map(r => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['ZT101', 'ZT401', 'ZT415', 'ZT501', 'ZT503']));
    expect(catalog.find(r => r.id === 'ZT407')).toEqual({
      id: 'ZT407',
      title: 'ALLOW AuthorizationPolicy rule that admits every client',
      severity: RuleSeverity.ERROR,
      rationale: expect.stringMatching(/rules: \[\{\}\]/),
      suppressible: true,
    });
    expect(catalog.filter(r => /^ZT5/.test(r.id)).every(r => r.severity === RuleSeverity.WARNING)).toBe(true);
  });

  test('returns copies: changing them does not change the catalog', () => {
    (ZeroTrustRules.catalog()[0] as any).title = 'changed';
    expect(ZeroTrustRules.catalog()[0].title).not.toBe('changed');
  });
});
