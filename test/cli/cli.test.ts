import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { run, TempDir } from './_harness';
import { EgressGateway, ExternalPeer, MeshedService, MeshMode, ServicePort, ZeroTrustNamespace } from '../../src';
import { main } from '../../src/cli/_cli';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: shop }
spec:
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, ports: [{ containerPort: 5432 }] }] }
---
# an empty document is skipped
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]
`;

const tmp = new TempDir('zt-cli-');


const MATRIX = [
  'from \\ to  shop/db   shop/web',
  'shop/db    (self)    8080/TCP',
  'shop/web   5432/TCP  (self)',
  '',
].join('\n');

describe('cdk8s-zero-trust analyze', () => {
  test('prints the allowed-flow matrix', () => {
    expect(run('analyze', tmp.file('m.yaml', MANIFESTS))).toEqual({ code: 0, out: MATRIX, err: '' });
  });

  test('reads several files and v1 List objects', () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: apps/v1, kind: Deployment, metadata: { name: c, namespace: shop }, spec: { template: { spec: { containers: [] } } } }\n';
    const { code, out } = run('analyze', tmp.file('m.yaml', MANIFESTS), tmp.file('l.yaml', list));
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('from \\ to  shop/c  shop/db   shop/web');
  });

  test('writes the Mermaid diagram', () => {
    const mmd = tmp.join('out.mmd');
    const { code, out } = run('analyze', tmp.file('m.yaml', MANIFESTS), '--mermaid', mmd);
    expect(code).toBe(0);
    expect(out).toBe(`${MATRIX}Mermaid diagram written to ${mmd}\n`);
    expect(fs.readFileSync(mmd, 'utf8')).toBe([
      'flowchart LR', '  subgraph ns0["shop"]', '    p0["shop/db"]', '    p1["shop/web"]', '  end', '  p0 -->|8080/TCP| p1', '  p1 -->|5432/TCP| p0', '',
    ].join('\n'));
  });

  test('--expect passes when the flows are exactly the expected ones', () => {
    const expected = tmp.file('flows.txt', '# web talks to db\nshop/web -> shop/db 5432/TCP\nshop/db -> shop/web 8080   # TCP by default\n\n');
    const { code, out } = run('verify', tmp.file('m.yaml', MANIFESTS), '--expect', expected);
    expect(code).toBe(0);
    expect(out).toBe(`${MATRIX}OK: the 2 allowed flows are exactly the expected ones\n`);
  });

  test('--expect fails with the difference', () => {
    const expected = tmp.file('flows.txt', 'shop/web -> shop/db 5432/TCP\nshop/web -> shop/db 5433/UDP\n');
    const { code, out } = run('analyze', tmp.file('m.yaml', MANIFESTS), '--expect', expected);
    expect(code).toBe(1);
    expect(out).toBe(MATRIX + [
      'MISMATCH: the allowed flows differ from the expected ones',
      'allowed but not expected (1):',
      '  + shop/db -> shop/web 8080/TCP',
      'expected but refused (1):',
      '  - shop/web -> shop/db 5433/UDP',
      '',
    ].join('\n'));
  });
});

describe('the corpus: realistic manifest sets, written for these tests', () => {
  const CORPUS = path.join(__dirname, '..', 'corpus');
  test.each([
    ['shop', 5, 'ignored 2 objects of kinds it does not model: ConfigMap (1), ServiceAccount (1)'],
    ['legacy-rc', 5, undefined],
    ['recipes', 28, undefined],
    ['multi-doc', 6, undefined],
    ['platform', 11, 'ignored 6 objects of kinds it does not model: DestinationRule (3), ServiceAccount (3)'],
    ['istio-security', 13, 'ignored 6 objects of kinds it does not model: DestinationRule (1), ServiceAccount (4), VirtualService (1)'],
    ['gateway', 2, 'ignored 4 objects of kinds it does not model: DestinationRule (2), ServiceAccount (2)'],
  ])('%s.yaml allows exactly the flows of %s.flows', (name, count, ignored) => {
    const { code, out, err } = run('verify', path.join(CORPUS, `${name}.yaml`), '--expect', path.join(CORPUS, `${name}.flows`));
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`OK: the ${count} allowed flows are exactly the expected ones\n$`));
    expect(err).toBe(ignored === undefined ? '' : `cdk8s-zero-trust: ${ignored}\n`);
  });

  test('platform.yaml with policies that open web\'s app port to Prometheus at both layers: verify names the extra flow', () => {
    const hole = tmp.file('hole.yaml', [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: { name: hole, namespace: shop }',
      'spec:',
      '  podSelector: { matchLabels: { zero-trust.cdk8s.io/workload: web } }',
      '  policyTypes: [Ingress]',
      '  ingress:',
      '  - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } }, podSelector: { matchLabels: { app.kubernetes.io/name: prometheus } } }]',
      '    ports: [{ port: 8080 }]',
      '---',
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata: { name: hole, namespace: shop }',
      'spec:',
      '  selector: { matchLabels: { zero-trust.cdk8s.io/workload: web } }',
      '  rules: [{ from: [{ source: { principals: [cluster.local/ns/monitoring/sa/prometheus] } }], to: [{ operation: { ports: [\'8080\'] } }] }]',
      '',
    ].join('\n'));
    const { code, out } = run('verify', path.join(CORPUS, 'platform.yaml'), hole, '--expect', path.join(CORPUS, 'platform.flows'));
    expect(code).toBe(1);
    expect(out).toMatch(/MISMATCH: the allowed flows differ from the expected ones\nallowed but not expected \(1\):\n  \+ monitoring\/prometheus -> shop\/web 8080\/TCP\n$/);
  });

  test('every corpus set is tested', () => {
    expect(fs.readdirSync(CORPUS).sort()).toEqual(['gateway', 'istio-security', 'legacy-rc', 'multi-doc', 'platform', 'recipes', 'shop'].flatMap(n => [`${n}.flows`, `${n}.yaml`]).sort());
  });
});

describe('cdk8s-zero-trust ignores what cannot change the flows', () => {
  test('says once, over all files, which kinds it ignored', () => {
    const config = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\n';
    const ingress = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i, namespace: shop }\n';
    const { code, out, err } = run('analyze', tmp.file('m.yaml', `${MANIFESTS}---\n${config}`), tmp.file('n.yaml', `${config}---\n${ingress}`));
    expect({ code, out }).toEqual({ code: 0, out: MATRIX });
    expect(err).toBe('cdk8s-zero-trust: ignored 3 objects of kinds it does not model: ConfigMap (2), Ingress (1)\n');
  });
});

describe('cdk8s-zero-trust reads objects as the API server stores them', () => {
  test('a null value in matchLabels is "", which selects only pods with that label empty', () => {
    const policy = MANIFESTS.replace('from: [{ podSelector: { matchLabels: { app: web } } }]', 'from: [{ podSelector: { matchLabels: { role: null } } }]');
    const { code, out } = run('analyze', tmp.file('m.yaml', policy));
    expect({ code, out }).toEqual({ code: 0, out: ['from \\ to  shop/db  shop/web', 'shop/db    (self)   8080/TCP', 'shop/web   .        (self)', ''].join('\n') });
  });

  test('a Service\'s target port that no container declares is a port flows reach, unnamed: a named NetworkPolicy port matches only the declared one', () => {
    const text = `${MANIFESTS.replace('containerPort: 5432 }', 'containerPort: 5432, name: http }')}---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: shop }
spec: { selector: { app: db }, ports: [{ port: 80, targetPort: 9090 }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-named, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: cache } } }], ports: [{ port: http }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cache, namespace: shop }
spec:
  template:
    metadata: { labels: { app: cache } }
    spec: { containers: [{ name: cache, ports: [{ containerPort: 9090, name: http }] }] }
`;
    const { code, out } = run('analyze', tmp.file('m.yaml', text));
    expect(code).toBe(0);
    expect(out).toBe([
      'from \\ to   shop/cache  shop/db            shop/web',
      'shop/cache  (self)      5432/TCP           8080/TCP',
      'shop/db     9090/TCP    (self)             8080/TCP',
      'shop/web    9090/TCP    5432/TCP,9090/TCP  (self)',
      '',
    ].join('\n'));
  });
});

describe('cdk8s-zero-trust --namespace', () => {
  const NO_NAMESPACE = MANIFESTS.replace(/, namespace: shop \}/g, ' }').replace('name: shop', 'name: other');

  test('puts the objects that name no namespace in it, as kubectl apply -n does; they are in default without it', () => {
    expect(run('analyze', tmp.file('m.yaml', NO_NAMESPACE), '--namespace', 'shop')).toEqual({ code: 0, out: MATRIX, err: '' });
    expect(run('analyze', tmp.file('m.yaml', NO_NAMESPACE)).out.split('\n')[0]).toBe('from \\ to    default/db  default/web');
  });

  test('refuses an object in another namespace, as kubectl apply -n does', () => {
    const { code, err } = run('analyze', tmp.file('m.yaml', MANIFESTS), '--namespace', 'web');
    expect(code).toBe(2);
    expect(err).toMatch(/m\.yaml: Deployment shop\/web: its namespace is not --namespace web, which kubectl apply -n refuses too\n$/);
  });

  test('refuses a name that is not a namespace name', () => {
    const { code, err } = run('analyze', tmp.file('m.yaml', MANIFESTS), '--namespace', 'Shop');
    expect(code).toBe(2);
    expect(err).toMatch(/^cdk8s-zero-trust: --namespace: "Shop" is not a DNS-1123 label/);
  });
});

describe('cdk8s-zero-trust errors exit 2 with a message naming the file', () => {
  test.each([
    ['bad YAML', 'a: [1, 2\n', /^cdk8s-zero-trust: .*bad\.yaml: bad YAML in document 1: /],
    ['a document without apiVersion and kind', 'foo: bar\n', /bad\.yaml: document 1 has no apiVersion and kind: not a Kubernetes object\n$/],
    ['an unknown apiVersion for a kind the analyzer reads', 'apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }\nspec: { podSelector: {} }\n',
      /bad\.yaml: NetworkPolicy x\/p: unsupported apiVersion "networking\.k8s\.io\/v1beta1" \(expected networking\.k8s\.io\/v1\)\n$/],
    ['an unknown workload apiVersion', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: { name: d }\n', /bad\.yaml: Deployment default\/d: unsupported apiVersion "extensions\/v1beta1"/],
    ['a policy the analyzer does not understand', 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p, namespace: x }\nspec: { rules: [{ when: [{ key: \"request.headers[x]\", values: [y] }] }] }\n',
      /bad\.yaml: AuthorizationPolicy x\/p: spec\.rules\[0\]\.when\[0\]\.key: the analyzer models only the condition connection\.sni, not "request\.headers\[x\]"\n$/],
    ['a kind that overrides NetworkPolicies', 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: a }\n',
      /bad\.yaml: AdminNetworkPolicy a: the analyzer does not model AdminNetworkPolicy, which can change what NetworkPolicies and Istio allow\n$/],
    ['an Istio kind the analyzer does not model', 'apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: { name: b, namespace: x }\n',
      /bad\.yaml: ServiceRoleBinding x\/b: the analyzer does not model ServiceRoleBinding \(rbac\.istio\.io\/v1alpha1\), which can change what Istio allows\n$/],
    ['a DestinationRule that turns mTLS off', 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: d, namespace: x }\nspec: { host: db, trafficPolicy: { tls: { mode: DISABLE } } }\n',
      /bad\.yaml: DestinationRule x\/d: spec\.trafficPolicy\.tls\.mode: the analyzer models only ISTIO_MUTUAL, not "DISABLE", which changes whether clients present their mesh identity\n$/],
    ['a container port without a number', 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: c, ports: [{ name: http }] }] }\n',
      /bad\.yaml: Pod default\/p: spec\.containers\[0\]\.ports\[0\]: containerPort is required\n$/],
    ['a List item that is not an object', 'apiVersion: v1\nkind: List\nitems: [web]\n', /bad\.yaml: document 1, items\[0\] has no apiVersion and kind: not a Kubernetes object\n$/],
    ['a Service with a bad target port', 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { selector: { app: s }, ports: [{ port: 80, targetPort: 0 }] }\n',
      /bad\.yaml: Service default\/s: spec\.ports\[0\]: expected a port number from 1 to 65535 or a port name, got 0\n$/],
    ['another mesh\'s AuthorizationPolicy', 'apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: { name: a, namespace: x }\n',
      /bad\.yaml: AuthorizationPolicy x\/a: the analyzer does not model AuthorizationPolicy \(policy\.linkerd\.io\/v1alpha1\), another mesh's authorization, which can change what is allowed\n$/],
    ['a host-network workload', 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: agent, namespace: x }\nspec: { template: { spec: { hostNetwork: true, containers: [] } } }\n',
      /bad\.yaml: DaemonSet x\/agent: spec\.template\.spec\.hostNetwork: the analyzer does not model host-network pods, which NetworkPolicies do not isolate and the mesh does not capture\n$/],
    ['a namespace attached to a waypoint', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x, labels: { istio.io/use-waypoint: waypoint } }\n',
      /bad\.yaml: Namespace x: metadata\.labels\["istio\.io\/use-waypoint"\]: the analyzer models waypoints for Services only \(a label on the Service\), not for namespaces or workloads, which change where Istio authorizes traffic and with which identity\n$/],
    ['the mesh configuration', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: istio, namespace: istio-system }\ndata: { mesh: "trustDomain: corp.example" }\n',
      /bad\.yaml: ConfigMap istio-system\/istio: data\.mesh: the analyzer does not model the mesh configuration, which can change the trust domain, the root namespace and auto mTLS, which the analyzer assumes are the defaults\n$/],
    ['a DestinationRule whose TLS mode defaults to DISABLE', 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: d, namespace: x }\nspec: { host: db, trafficPolicy: { tls: { mode: null } } }\n',
      /bad\.yaml: DestinationRule x\/d: spec\.trafficPolicy\.tls\.mode: the analyzer models only ISTIO_MUTUAL, not DISABLE, the default when mode is not set, which changes whether clients present their mesh identity\n$/],
    ['a null container', 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [null] }\n', /bad\.yaml: Pod default\/p: spec\.containers\[0\]: expected an object\n$/],
  ])('%s', (_, text, message) => {
    const { code, out, err } = run('analyze', tmp.file('bad.yaml', text));
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
  });

  test('an unreadable file', () => {
    const { code, err } = run('analyze', tmp.join('missing.yaml'));
    expect(code).toBe(2);
    expect(err).toMatch(/^cdk8s-zero-trust: .*missing\.yaml: cannot read: ENOENT/);
  });

  test('a bad expected-flows line', () => {
    const { code, err } = run('verify', tmp.file('m.yaml', MANIFESTS), '--expect', tmp.file('flows.txt', 'shop/web to shop/db\n'));
    expect(code).toBe(2);
    expect(err).toMatch(/flows\.txt:1: expected `ns\/pod -> ns\/pod 80\/TCP`, got "shop\/web to shop\/db"\n$/);
  });

  test('an expected flow naming an unknown pod', () => {
    const { code, err } = run('verify', tmp.file('m.yaml', MANIFESTS), '--expect', tmp.file('flows.txt', 'shop/web -> shop/nope 80/TCP\n'));
    expect(code).toBe(2);
    expect(err).toMatch(/flows\.txt:1: unknown pod shop\/nope\n$/);
  });

  test.each([
    [[], /^usage: /],
    [['frobnicate', 'x.yaml'], /unknown command "frobnicate"/],
    [['analyze'], /no manifest file given/],
    [['analyze', 'x.yaml', '--bogus'], /unknown option --bogus/],
    [['analyze', 'x.yaml', '--mermaid'], /--mermaid needs a file name/],
    [['analyze', 'x.yaml', '--namespace'], /--namespace needs a namespace name/],
    [['verify', 'x.yaml'], /verify requires --expect <flows.txt>/],
  ])('usage error %j', (argv, message) => {
    const { code, err } = run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('--help prints the usage and exits 0', () => {
    const { code, out } = run('--help');
    expect(code).toBe(0);
    expect(out).toBe([
      'usage: cdk8s-zero-trust analyze|verify <file.yaml...> [--expect <flows.txt>] [--mermaid <out.mmd>] [--namespace <name>]',
      '       cdk8s-zero-trust check <file.yaml...> --from <ns/pod|ip> --to <ns/pod|ip> --port <n>',
      '         [--protocol <TCP|UDP|SCTP>] [--method <method>] [--path <path>] [--host <host>]',
      '         [--request-principal <issuer/subject>] [--namespace <name>]',
      '  analyze  print the allowed-flow matrix (and check it with --expect)',
      '  verify   like analyze, --expect required',
      '  check    is the connection, or a request over it, allowed? prints each layer\'s verdict and why;',
      '           exit 0 allowed, 1 denied',
      '  --from, --to  a pod (namespace/pod, as the matrix names it) or an IP address outside the cluster',
      '  --method, --path, --host, --request-principal  ask about the requests with these attributes (any value when',
      '           left out); --request-principal \'\' is a request without a token',
      '  --namespace  the namespace of objects that name none (default: default), as kubectl apply -n',
      'Expected flows: one per line, `ns/pod -> ns/pod 80/TCP`; `#` starts a comment.',
      '',
    ].join('\n'));
  });
});

describe('an egress gateway', () => {
  test('the command line reads the gateway\'s pods from its Gateway and the hosts from its ServiceEntries and TLSRoutes', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
    const payment = new MeshedService(chart, 'payment', { namespace: ns, name: 'payment', ports: [ServicePort.grpc(50051)], image: 'payment' });
    const egress = new EgressGateway(chart, 'egress', { namespace: ns, name: 'egress' });
    payment.allowToExternal(ExternalPeer.host('api.stripe.com', { gateway: egress, addresses: ExternalPeer.cidr('203.0.113.0/24') }), { ports: [443] });
    const yaml = tmp.join('egress.yaml');
    fs.writeFileSync(yaml, chart.toJson().map((o: any) => JSON.stringify(o)).join('\n---\n'));
    const out: string[] = [];
    const err: string[] = [];
    expect(main(['analyze', yaml], { out: t => out.push(t), err: t => err.push(t) })).toBe(0);
    expect(out.join('')).toBe([
      'from \\ to          shop/egress-istio  shop/payment',
      'shop/egress-istio  (self)             .',
      'shop/payment       443/TCP            (self)',
      '',
      'external hosts, through egress gateways:',
      '  shop/payment -> api.stripe.com 443/TCP via shop/egress-istio',
      '',
    ].join('\n'));
    expect(err.join('')).toBe('cdk8s-zero-trust: ignored 2 objects of kinds it does not model: DestinationRule (1), ServiceAccount (1)\n');
  });
});

describe('an ambient waypoint', () => {
  test('the command line reads the waypoint\'s pod from its Gateway and the policies that target the Service', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: MeshMode.AMBIENT });
    const web = new MeshedService(chart, 'web', { namespace: ns, name: 'web', image: 'web' });
    const api = new MeshedService(chart, 'api', { namespace: ns, name: 'api', ports: [ServicePort.http(9090)], image: 'api' });
    web.allowTo(api, { http: { methods: ['GET'] } });
    const yaml = tmp.join('waypoint.yaml');
    fs.writeFileSync(yaml, chart.toJson().map((o: any) => JSON.stringify(o)).join('\n---\n'));
    const out: string[] = [];
    expect(main(['analyze', yaml], { out: t => out.push(t), err: () => undefined })).toBe(0);
    expect(out.join('')).toBe([
      'from \\ to      shop/api  shop/waypoint  shop/web',
      'shop/api       (self)    .              .',
      'shop/waypoint  9090/TCP  (self)         .',
      'shop/web       9090/TCP  15008/TCP      (self)',
      '',
    ].join('\n'));
  });
});
