import { TempDir } from './_harness';
import { analyzeFiles, readText } from '../../src/cli/_manifest-files';

const deployment = (name: string, namespace?: string) => 'apiVersion: apps/v1\nkind: Deployment\n'
  + `metadata: { name: ${name}${namespace ? `, namespace: ${namespace}` : ''} }\nspec: { template: { spec: { containers: [] } } }\n`;

const tmp = new TempDir('zt-files-');


describe('analyzeFiles', () => {
  test('analyses the objects of every file together, and says which it ignored', () => {
    const a = tmp.file('a.yaml', deployment('web', 'shop'));
    const b = tmp.file('b.yaml', `${deployment('db', 'shop')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\n`);
    const { reachability, ignored } = analyzeFiles([a, b]);
    expect(reachability.pods).toEqual(['shop/db', 'shop/web']);
    expect(ignored).toBe('ignored 1 object of kinds it does not model: ConfigMap (1)');
  });

  test('puts the objects that name no namespace in the one given, and refuses one that names another', () => {
    expect(analyzeFiles([tmp.file('a.yaml', deployment('web'))], 'shop').reachability.pods).toEqual(['shop/web']);
    expect(analyzeFiles([tmp.file('a.yaml', deployment('web'))]).reachability.pods).toEqual(['default/web']);
    const other = tmp.file('b.yaml', deployment('web', 'store'));
    expect(() => analyzeFiles([other], 'shop'))
      .toThrow(`${other}: Deployment store/web: its namespace is not --namespace shop, which kubectl apply -n refuses too`);
  });

  test('refuses a namespace that is not a namespace name, before reading any file', () => {
    expect(() => analyzeFiles([tmp.join('missing.yaml')], 'Shop'))
      .toThrow('--namespace: "Shop" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)');
  });

  test('reports an object it cannot read against its own file', () => {
    const good = tmp.file('good.yaml', deployment('web', 'shop'));
    const bad = tmp.file('bad.yaml', 'apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: shop }\nspec: { podSelector: {} }\n');
    expect(() => analyzeFiles([good, bad]))
      .toThrow(`${bad}: NetworkPolicy shop/p: unsupported apiVersion "networking.k8s.io/v1beta1" (expected networking.k8s.io/v1)`);
  });
});

describe('readText', () => {
  test('names the file it cannot read', () => {
    const missing = tmp.join('missing.yaml');
    expect(() => readText(missing)).toThrow(`${missing}: cannot read: ENOENT: no such file or directory, open '${missing}'`);
  });
});
