import * as fs from 'fs';
import { run, TempDir } from './_harness';

// A shop in the mesh: web may GET /items/* on api with a token of login.example, and nothing may reach db.
const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio-injection: enabled } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    metadata: { labels: { app: web } }
    spec: { serviceAccountName: web, containers: [{ name: web }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api } }
    spec: { serviceAccountName: api, containers: [{ name: api, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: shop }
spec:
  template:
    metadata: { labels: { app: db } }
    spec: { serviceAccountName: db, containers: [{ name: db, ports: [{ containerPort: 5432 }] }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 8080 }] }]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: shop }
spec: { mtls: { mode: STRICT } }
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: api, namespace: shop }
spec:
  selector: { matchLabels: { app: api } }
  jwtRules: [{ issuer: https://login.example, jwksUri: https://login.example/jwks.json }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: api, namespace: shop }
spec:
  selector: { matchLabels: { app: api } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: [cluster.local/ns/shop/sa/web], requestPrincipals: [https://login.example/*] } }]
    to: [{ operation: { ports: ["8080"], methods: [GET], paths: [/items/*] } }]
`;

const tmp = new TempDir('zt-check-');
let manifests: string;
beforeEach(() => {
  manifests = tmp.file('shop.yaml', MANIFESTS);
});


const WEB_TO_API = ['--from', 'shop/web', '--to', 'shop/api', '--port', '8080'];
const GET_ITEM = ['--method', 'GET', '--path', '/items/1'];
const ALICE = ['--request-principal', 'https://login.example/alice'];

/** The lines every web -> api question shares: both NetworkPolicy sides allow, and the connection is mTLS. */
const WEB_TO_API_PORT = [
  '  egress NetworkPolicy: allowed',
  '    - shop/web is not isolated for egress: no NetworkPolicy with Egress in policyTypes selects it',
  '  ingress NetworkPolicy: allowed',
  '    - shop/api is isolated for ingress by shop/api, shop/deny-all; shop/api spec.ingress[0] admits shop/web on 8080/TCP',
];
const MTLS = [
  '    - mTLS mode of shop/api on port 8080: STRICT, from shop/default (namespace-level)',
  '    - connection is mTLS: peer principal cluster.local/ns/shop/sa/web, namespace shop',
];
const lines = (...l: string[]) => `${l.join('\n')}\n`;

const USAGE = lines(
  'usage: cdk8s-zero-trust check <file.yaml...> --from <ns/pod|ip> --to <ns/pod|ip> --port <n>',
  '         [--protocol <TCP|UDP|SCTP>] [--method <method>] [--path <path>] [--host <host>]',
  '         [--request-principal <issuer/subject>] [--namespace <name>]',
  '  check    is the connection, or a request over it, allowed? prints each layer\'s verdict and why;',
  '           exit 0 allowed, 1 denied',
  '  --from, --to  a pod (namespace/pod, as the matrix names it) or an IP address outside the cluster',
  '  --method, --path, --host, --request-principal  ask about the requests with these attributes (any value when',
  '           left out); --request-principal \'\' is a request without a token',
);

describe('cdk8s-zero-trust check: the verdict and each layer\'s reasons', () => {
  test('a request the policies allow: exit 0', () => {
    expect(run('check', manifests, ...WEB_TO_API, ...GET_ITEM, ...ALICE)).toEqual({
      code: 0,
      out: lines(
        'shop/web -> shop/api 8080/TCP, method GET, path /items/1, request principal https://login.example/alice: allowed',
        ...WEB_TO_API_PORT,
        '  authorization: allowed',
        ...MTLS,
        '    - allowed for some requests, such as GET /items/1 (host zt.example, token https://login.example/alice)',
        '    - the token is validated by RequestAuthentication shop/api: request principal https://login.example/alice',
        '    - ALLOW policy shop/api rules[0] matches: allowed',
      ),
      err: '',
    });
  });

  test.each([
    ['a method', ['--method', 'DELETE', '--path', '/items/1'], 'DELETE /items/1'],
    ['a path', ['--method', 'GET', '--path', '/admin'], 'GET /admin'],
  ])('a request refused at L7 for %s the AuthorizationPolicy\'s to.operation does not name: exit 1', (_, request, example) => {
    expect(run('check', manifests, ...WEB_TO_API, ...request, ...ALICE)).toEqual({
      code: 1,
      out: lines(
        `shop/web -> shop/api 8080/TCP, method ${request[1]}, path ${request[3]}, request principal https://login.example/alice: denied by authorization`,
        ...WEB_TO_API_PORT,
        '  authorization: denied',
        ...MTLS,
        `    - no such request is allowed, for instance ${example} (host zt.example, token https://login.example/alice)`,
        '    - the token is validated by RequestAuthentication shop/api: request principal https://login.example/alice',
        '    - ALLOW policies shop/api apply but none matches: denied',
      ),
      err: '',
    });
  });

  test('a request without a token, where the AuthorizationPolicy requires requestPrincipals: exit 1', () => {
    expect(run('check', manifests, ...WEB_TO_API, ...GET_ITEM, '--request-principal', '')).toEqual({
      code: 1,
      out: lines(
        'shop/web -> shop/api 8080/TCP, method GET, path /items/1, no token: denied by authorization',
        ...WEB_TO_API_PORT,
        '  authorization: denied',
        ...MTLS,
        '    - no such request is allowed, for instance GET /items/1 (host zt.example, no token)',
        '    - ALLOW policies shop/api apply but none matches: denied',
      ),
      err: '',
    });
  });

  test('a request with a token of an issuer the RequestAuthentication does not accept: exit 1', () => {
    const { code, out } = run('check', manifests, ...WEB_TO_API, ...GET_ITEM, '--request-principal', 'https://other.example/alice');
    expect(code).toBe(1);
    expect(out.split('\n').slice(-3)).toEqual([
      '    - no such request is allowed, for instance GET /items/1 (host zt.example, token https://other.example/alice)',
      '    - no RequestAuthentication that applies (shop/api) accepts the token\'s issuer: Istio rejects the request (401)',
      '',
    ]);
  });

  test('without request attributes it asks whether some request is allowed, and names one', () => {
    const { code, out } = run('check', manifests, ...WEB_TO_API);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('shop/web -> shop/api 8080/TCP: allowed');
    expect(out).toContain('\n    - allowed for some requests, such as GET /items/zt (host zt.example, token https://login.example/zt-subject)\n');
  });

  test('the host is a request attribute too', () => {
    const { code, out } = run('check', manifests, ...WEB_TO_API, ...GET_ITEM, ...ALICE, '--host', 'api.shop');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('shop/web -> shop/api 8080/TCP, method GET, path /items/1, host api.shop, request principal https://login.example/alice: allowed');
    expect(out).toContain('\n    - the request GET /items/1 (host api.shop, token https://login.example/alice)\n');
  });

  test('a connection the server\'s NetworkPolicies refuse: exit 1', () => {
    expect(run('check', manifests, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432')).toEqual({
      code: 1,
      out: lines(
        'shop/web -> shop/db 5432/TCP: denied by ingress NetworkPolicy',
        '  egress NetworkPolicy: allowed',
        '    - shop/web is not isolated for egress: no NetworkPolicy with Egress in policyTypes selects it',
        '  ingress NetworkPolicy: denied',
        '    - shop/db is isolated for ingress by shop/deny-all and no rule admits shop/web on 5432/TCP (shop/deny-all has no ingress rules)',
        '  authorization: allowed',
        '    - mTLS mode of shop/db on port 5432: STRICT, from shop/default (namespace-level)',
        '    - connection is mTLS: peer principal cluster.local/ns/shop/sa/web, namespace shop',
        '    - no ALLOW policy applies: allowed',
      ),
      err: '',
    });
  });

  test('--protocol: Istio intercepts TCP only, and the NetworkPolicy admits TCP', () => {
    const { code, out } = run('check', manifests, ...WEB_TO_API, '--protocol', 'UDP');
    expect(code).toBe(1);
    expect(out.split('\n')[0]).toBe('shop/web -> shop/api 8080/UDP: denied by ingress NetworkPolicy');
    expect(out).toContain('\n    - Istio intercepts TCP only: UDP traffic bypasses the proxy\n');
  });

  test('an IP address is a client outside the cluster', () => {
    expect(run('check', manifests, '--from', '203.0.113.9', '--to', 'shop/api', '--port', '8080')).toEqual({
      code: 1,
      out: lines(
        '203.0.113.9 -> shop/api 8080/TCP: denied by ingress NetworkPolicy, authorization',
        '  egress NetworkPolicy: allowed',
        '    - 203.0.113.9 is outside the cluster: no NetworkPolicy governs its egress',
        '  ingress NetworkPolicy: denied',
        '    - shop/api is isolated for ingress by shop/api, shop/deny-all and no rule admits 203.0.113.9 on 8080/TCP (shop/api spec.ingress[0]: from does not match 203.0.113.9; shop/deny-all has no ingress rules)',
        '  authorization: denied',
        '    - mTLS mode of shop/api on port 8080: STRICT, from shop/default (namespace-level)',
        '    - STRICT mTLS refuses plaintext and 203.0.113.9 is not in the mesh',
      ),
      err: '',
    });
  });

  test('says on stderr which objects it ignored, as analyze does', () => {
    const account = tmp.join('account.yaml');
    fs.writeFileSync(account, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: web, namespace: shop }\n');
    const { code, err } = run('check', manifests, account, ...WEB_TO_API);
    expect(code).toBe(0);
    expect(err).toBe('cdk8s-zero-trust: ignored 1 object of kinds it does not model: ServiceAccount (1)\n');
  });

  test('--namespace puts the objects that name no namespace in it', () => {
    fs.writeFileSync(manifests, MANIFESTS.replace(/, namespace: shop \}/g, ' }'));
    const { code, out } = run('check', manifests, '--namespace', 'shop', ...WEB_TO_API, ...GET_ITEM, ...ALICE);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('shop/web -> shop/api 8080/TCP, method GET, path /items/1, request principal https://login.example/alice: allowed');
  });
});

describe('cdk8s-zero-trust check: usage', () => {
  test.each(['--help', '-h'])('check %s prints the usage of check', flag => {
    expect(run('check', flag)).toEqual({ code: 0, out: USAGE, err: '' });
  });
});

describe('cdk8s-zero-trust check: bad input is exit 2 with a message that names the problem and the fix', () => {
  test.each([
    ['an unknown pod', ['--from', 'shop/web', '--to', 'shop/apis', '--port', '8080'],
      '--to: unknown pod shop/apis; the pods in namespace shop are shop/api, shop/db, shop/web\n'],
    ['a pod in a namespace without pods', ['--from', 'store/web', '--to', 'shop/api', '--port', '8080'],
      '--from: unknown pod store/web; the namespaces with pods are shop\n'],
    ['neither a pod nor an address', ['--from', 'shop/web', '--to', 'api', '--port', '8080'],
      '--to: "api" is neither a pod (namespace/pod) nor an IP address; the namespaces with pods are shop\n'],
    ['a port that is not a number', [...WEB_TO_API.slice(0, 5), 'http'], '--port: expected a port number from 1 to 65535, got "http"\n'],
    ['port 0', [...WEB_TO_API.slice(0, 5), '0'], '--port: expected a port number from 1 to 65535, got "0"\n'],
    ['a port above 65535', [...WEB_TO_API.slice(0, 5), '65536'], '--port: expected a port number from 1 to 65535, got "65536"\n'],
    ['an unknown protocol', [...WEB_TO_API, '--protocol', 'tcp'], 'unsupported protocol "tcp" (expected TCP, UDP, SCTP)\n'],
    ['request attributes over UDP', [...WEB_TO_API, '--protocol', 'UDP', '--method', 'GET'], 'HTTP request attributes need protocol TCP, not UDP\n'],
    ['a path without its leading slash', [...WEB_TO_API, '--path', 'items'], 'invalid path "items" (expected one starting with /)\n'],
    ['an empty method', [...WEB_TO_API, '--method', ''], 'invalid method "" (expected an HTTP method such as GET)\n'],
    ['two addresses', ['--from', '203.0.113.9', '--to', '10.0.0.1', '--port', '80'], '203.0.113.9 -> 10.0.0.1: at least one side must be a pod\n'],
    ['an unknown option', [...WEB_TO_API, '--metod', 'GET'], `unknown option --metod\n${USAGE}\n`],
    ['missing options', ['--from', 'shop/web'], `check requires --to <ns/pod|ip>, --port <n>\n${USAGE}\n`],
    ['an option without its value', [...WEB_TO_API, '--host'], '--host needs a value: a host name\n'],
    ['an option followed by another', [...WEB_TO_API, '--method', '--path', '/x'], '--method needs a value: an HTTP method such as GET\n'],
    ['an option given twice', [...WEB_TO_API, '--port', '9090'], '--port is given twice: check asks about one connection or request\n'],
    ['a namespace name that is not one', [...WEB_TO_API, '--namespace', 'Shop'],
      '--namespace: "Shop" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)\n'],
  ])('%s', (_, args, message) => {
    expect(run('check', manifests, ...args)).toEqual({ code: 2, out: '', err: `cdk8s-zero-trust: ${message}` });
  });

  test('a pod, where the manifests describe none', () => {
    const empty = tmp.join('empty.yaml');
    fs.writeFileSync(empty, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n');
    expect(run('check', empty, ...WEB_TO_API)).toEqual({ code: 2, out: '', err: 'cdk8s-zero-trust: --from: unknown pod shop/web; the manifests describe no pod\n' });
  });

  test('no manifest file', () => {
    expect(run('check', ...WEB_TO_API)).toEqual({ code: 2, out: '', err: `cdk8s-zero-trust: no manifest file given\n${USAGE}\n` });
  });

  test('a file it cannot read', () => {
    const missing = tmp.join('missing.yaml');
    expect(run('check', missing, ...WEB_TO_API)).toEqual({
      code: 2, out: '', err: `cdk8s-zero-trust: ${missing}: cannot read: ENOENT: no such file or directory, open '${missing}'\n`,
    });
  });
});
