import { manifestsOfYaml } from '../../src/analyzer/_manifest-documents';

const names = (text: string) => manifestsOfYaml(text, 'f.yaml').map(m => `${m.apiVersion} ${m.kind} ${m.metadata?.name}`);

describe('manifestsOfYaml', () => {
  test('skips empty documents: nothing, only comments, null and ~', () => {
    expect(names('---\n---\n# nothing here\n---\nnull\n---\n~\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p }\n---\n')).toEqual(['v1 Pod p']);
  });

  test('expands List items, nested Lists too, in order', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- { apiVersion: v1, kind: Pod, metadata: { name: a } }\n'
      + '- { apiVersion: v1, kind: List, items: [{ apiVersion: v1, kind: Pod, metadata: { name: b } }] }\n- { apiVersion: v1, kind: Pod, metadata: { name: c } }\n';
    expect(names(text)).toEqual(['v1 Pod a', 'v1 Pod b', 'v1 Pod c']);
  });

  test('a typed list gives its kind and apiVersion to items that leave them out', () => {
    const text = 'apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: { name: a }\n- { apiVersion: apps/v1, kind: StatefulSet, metadata: { name: b } }\n';
    expect(names(text)).toEqual(['apps/v1 Deployment a', 'apps/v1 StatefulSet b']);
  });

  test('an empty List, or a List without items, has no objects', () => {
    expect(names('apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: List\n---\napiVersion: v1\nkind: ServiceList\nitems: []\n')).toEqual([]);
  });

  test('a field set to null is absent, as the API server stores it; null list items stay', () => {
    const [m] = manifestsOfYaml('apiVersion: v1\nkind: Pod\nmetadata: { name: p, labels: null }\nspec:\n  a: [1, null]\n  b: { c: ~ }\n', 'f.yaml');
    expect(m).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: [1, null], b: {} } });
  });

  test('a null value in a built-in map of strings is "", as the API server decodes it', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, labels: { a: null }, annotations: { b: ~ } }',
      'spec: { podSelector: { matchLabels: { role: null } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: null } } }] }] }',
      '---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { selector: { app: null } }',
      '---\napiVersion: v1\nkind: ReplicationController\nmetadata: { name: r }\nspec: { selector: { app: null }, template: { metadata: { labels: { app: null } }, spec: { nodeSelector: { zone: null } } } }',
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: { selector: { matchLabels: null }, template: { metadata: { labels: { app: null } } } }',
    ].join('\n');
    expect(manifestsOfYaml(text, 'f.yaml').map(m => m.spec)).toEqual([
      { podSelector: { matchLabels: { role: '' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: '' } } }] }] },
      { selector: { app: '' } },
      { selector: { app: '' }, template: { metadata: { labels: { app: '' } }, spec: { nodeSelector: { zone: '' } } } },
      { selector: {}, template: { metadata: { labels: { app: '' } } } },
    ]);
    expect(manifestsOfYaml(text, 'f.yaml')[0].metadata).toEqual({ name: 'p', labels: { a: '' }, annotations: { b: '' } });
  });

  test('a custom resource\'s maps lose their null values, as the API server prunes them; its metadata is typed', () => {
    const text = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, labels: { a: null } }\nspec: { selector: { matchLabels: { app: null } } }\n';
    expect(manifestsOfYaml(text, 'f.yaml')).toEqual([{
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', labels: { a: '' } }, spec: { selector: { matchLabels: {} } },
    }]);
  });

  test('a typed list gives its kind and apiVersion only to items that leave out both', () => {
    const text = 'apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- { kind: null, apiVersion: "", metadata: { name: a } }\n- { kind: StatefulSet, metadata: { name: b } }\n';
    expect(names(text.replace('- { kind: StatefulSet', '- { kind: StatefulSet, apiVersion: apps/v1'))).toEqual(['apps/v1 Deployment a', 'apps/v1 StatefulSet b']);
    expect(() => names(text)).toThrow(/^f\.yaml: document 1, items\[1\] has no apiVersion and kind: not a Kubernetes object$/);
  });

  test.each([
    ['bad YAML', 'a: [1\n', /^f\.yaml: bad YAML in document 1: /],
    ['a document that is not an object', '---\nnull\n---\n- a\n', /^f\.yaml: document 2 has no apiVersion and kind: not a Kubernetes object$/],
    ['an object without kind', 'apiVersion: v1\nmetadata: {}\n', /^f\.yaml: document 1 has no apiVersion and kind: not a Kubernetes object$/],
    ['List items that are not a list', 'apiVersion: v1\nkind: List\nitems: { a: 1 }\n', /^f\.yaml: document 1: List\.items: expected a list$/],
    ['a List item without kind', 'apiVersion: v1\nkind: List\nitems: [{ apiVersion: v1 }]\n', /^f\.yaml: document 1, items\[0\] has no apiVersion and kind: not a Kubernetes object$/],
  ])('refuses %s', (_, text, message) => {
    expect(() => manifestsOfYaml(text, 'f.yaml')).toThrow(message);
  });
});
