/**
 * Test harness: checks emitted manifests the way an API server would.
 *
 * Kubernetes kinds are validated with `kubernetes-models`; Istio and Gateway API kinds against the OpenAPI schema and
 * the CEL rules (`x-kubernetes-validations`) of their CRD bundles, read from `../shared/istio/crds.yaml` and
 * `../shared/gateway-api/crds.yaml` beside the repo.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/** What `validateManifests` found: `errors` are failures, `skipped` are checks it could not run (print them). */
export interface SchemaReport {
  readonly errors: string[];
  readonly skipped: string[];
}

/** The Istio CRD bundle, resolved from the repo root's parent (`shared/` sits beside the clone). */
export const ISTIO_CRDS_PATH = path.resolve(__dirname, '..', '..', 'shared', 'istio', 'crds.yaml');

/** Whether the Istio CRD bundle is present, so that Istio checks run (tests skip theirs with a notice otherwise). */
export function istioCrdsAvailable(): boolean {
  return fs.existsSync(ISTIO_CRDS_PATH);
}

/** The Gateway API CRD bundle (standard channel), beside the Istio one. */
export const GATEWAY_API_CRDS_PATH = path.resolve(__dirname, '..', '..', 'shared', 'gateway-api', 'crds.yaml');

/** Whether the Gateway API CRD bundle is present, so that Gateway API checks run. */
export function gatewayApiCrdsAvailable(): boolean {
  return fs.existsSync(GATEWAY_API_CRDS_PATH);
}

/** The kinds of one CRD bundle (Istio or Gateway API); `kinds` is undefined when the bundle is absent. */
export interface CrdSchemas {
  readonly path: string;
  readonly kinds?: Map<string, CrdKind>;
}

interface CrdKind {
  /** The CRD version's `openAPIV3Schema`, as Kubernetes stores it. */
  readonly schema: any;
  /** Compiled on first use: most tests touch a handful of kinds. */
  validate?: ValidateFunction;
}

interface Rule {
  readonly rule: string;
  readonly message?: string;
}

const ajv = new Ajv({
  strict: false, // the Kubernetes dialect carries x-kubernetes-* keywords
  allErrors: true,
  formats: {
    'int32': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
    'int64': { type: 'number', validate: (n: number) => Number.isInteger(n) },
    'double': { type: 'number', validate: () => true },
    'byte': /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
  },
});

const bundles = new Map<string, CrdSchemas>();

/** Reads and indexes a CRD bundle once per path (`${apiVersion} ${kind}` → schema). */
export function loadCrdSchemas(file: string): CrdSchemas {
  let bundle = bundles.get(file);
  if (!bundle) {
    bundle = { path: file, kinds: fs.existsSync(file) ? indexBundle(fs.readFileSync(file, 'utf8')) : undefined };
    bundles.set(file, bundle);
  }
  return bundle;
}

function indexBundle(text: string): Map<string, CrdKind> {
  const kinds = new Map<string, CrdKind>();
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJSON();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions) {
      kinds.set(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`, { schema: version.schema.openAPIV3Schema });
    }
  }
  return kinds;
}

/**
 * Validates every object and returns one error line per problem (`Kind ns/name: /path message`).
 * @param crdsPath the Istio CRD bundle (tests point it elsewhere to exercise the "bundle absent" path)
 * @param gatewayCrdsPath the Gateway API CRD bundle
 */
export function validateManifests(objs: any[], crdsPath: string = ISTIO_CRDS_PATH, gatewayCrdsPath: string = GATEWAY_API_CRDS_PATH): SchemaReport {
  const errors: string[] = [];
  const skipped = new Set<string>();
  for (const obj of objs) {
    const where = `${obj?.kind} ${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name ?? '?'}`;
    const fail = (msg: string) => errors.push(`${where}: ${msg}`);
    if (/\.istio\.io\//.test(obj?.apiVersion ?? '')) {
      validateCustom('Istio', obj, loadCrdSchemas(crdsPath), fail, (msg) => skipped.add(msg));
    } else if ((obj?.apiVersion ?? '').startsWith('gateway.networking.k8s.io/')) {
      validateCustom('Gateway API', obj, loadCrdSchemas(gatewayCrdsPath), fail, (msg) => skipped.add(msg));
    } else {
      validateKubernetes(obj, fail);
    }
  }
  return { errors, skipped: [...skipped].sort() };
}

function validateKubernetes(obj: any, fail: (msg: string) => void): void {
  const model = kubernetesModel(obj?.apiVersion, obj?.kind);
  if (!model) return fail(`no schema for ${obj?.apiVersion} ${obj?.kind}`);
  try {
    new model(obj).validate();
  } catch (e: any) {
    for (const err of e.errors ?? [{ instancePath: '', message: e.message }]) fail(describe(err));
  }
}

/** `kubernetes-models/<apiVersion>/<Kind>` holds each built-in kind (core group: `v1/<Kind>`). */
function kubernetesModel(apiVersion: string, kind: string): any {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion ?? '') || !/^[A-Z][A-Za-z0-9]*$/.test(kind ?? '')) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen by the object's kind
    return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

/** Validates an object of a CRD bundle's kinds (`title` names the bundle in notices) against its schema and CEL rules. */
function validateCustom(title: string, obj: any, bundle: CrdSchemas, fail: (msg: string) => void, skip: (msg: string) => void): void {
  if (!bundle.kinds) return skip(`${title} CRD bundle not found at ${bundle.path}: ${title} schema and CEL checks skipped`);
  const kind = bundle.kinds.get(`${obj.apiVersion} ${obj.kind}`);
  if (!kind) return fail(`no schema for ${obj.apiVersion} ${obj.kind} in ${bundle.path}`);
  kind.validate ??= ajv.compile(rootSchema(obj.apiVersion, obj.kind, kind.schema));
  const defaulted = withDefaults(kind.schema, obj);
  if (!kind.validate(defaulted)) {
    for (const err of kind.validate.errors ?? []) fail(describe(err));
    return; // CEL rules assume a well-typed object, as on the API server
  }
  checkRules(kind.schema, defaulted, '', fail, skip);
}

/**
 * A copy of the value with the schema's `default`s filled in where fields are absent, as the API server defaults an
 * object before it validates it (Gateway API's rules read defaulted fields, such as a backendRef's `kind`).
 */
function withDefaults(schema: any, value: any): any {
  if (schema === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withDefaults(schema.items, v));
  const out: any = { ...value };
  for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = JSON.parse(JSON.stringify(sub.default));
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(out)) out[k] = withDefaults(schema.properties?.[k] ?? additional, v);
  return out;
}

/**
 * The CRD schema covers spec and status; the API server adds apiVersion, kind and metadata. Unknown fields are
 * errors here, where the server would prune them: a field we emit that Istio drops is a bug.
 */
function rootSchema(apiVersion: string, kind: string, schema: any): any {
  const root = strict(schema);
  return {
    ...root,
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', ...root.required ?? []],
    properties: {
      ...root.properties,
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
          namespace: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
}

/**
 * Copies a structural schema, closing every object node that neither lists `additionalProperties` nor preserves
 * unknown fields. Value-validation branches (anyOf, oneOf, not) only state `required`, so they stay open. Formats
 * ajv is not told about are dropped: the API server ignores them too.
 */
function strict(schema: any): any {
  const out: any = { ...schema };
  if (out.format && !(out.format in ajv.formats)) delete out.format;
  if (out['x-kubernetes-int-or-string'] && !out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (out.type === 'object' && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, strict(v)]));
  }
  if (typeof out.additionalProperties === 'object') out.additionalProperties = strict(out.additionalProperties);
  if (out.items) out.items = strict(out.items);
  return out;
}

function describe(err: ErrorObject): string {
  const p: any = err.params ?? {};
  const detail = p.additionalProperty ? ` '${p.additionalProperty}'` : p.allowedValues ? ` (${p.allowedValues.join(', ')})` : '';
  return `${err.instancePath || '/'} ${err.message}${detail}`;
}

/** Evaluates each CEL rule where a value exists, with `self` bound to that value (CEL's types: integers as int). */
function checkRules(schema: any, value: any, at: string, fail: (msg: string) => void, skip: (msg: string) => void): void {
  if (schema === undefined || value === undefined || value === null) return;
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as Rule[]) {
    const text = rule.rule.replace(/\s+/g, ' ');
    const program = compileRule(rule.rule);
    if (typeof program === 'string') {
      skip(`CEL rule not evaluated (${program}): ${text}`);
      continue;
    }
    let ok: any;
    try {
      ok = program({ self: toCel(schema, value) });
    } catch (e: any) {
      ok = `error: ${e.message.split('\n')[0]}`; // the API server rejects an object whose rule errors
    }
    if (ok !== true) fail(`${at || '/'} ${rule.message ?? 'failed rule'} (rule: ${text}${ok === false ? '' : `; ${ok}`})`);
  }
  checkListType(schema, value, at, fail);
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkRules(schema.items, item, `${at}/${i}`, fail, skip));
  } else if (typeof value === 'object') {
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) checkRules(schema.properties?.[k] ?? additional, v, `${at}/${k}`, fail, skip);
  }
}

/** `x-kubernetes-list-type`: a `set` has unique items, a `map` unique `x-kubernetes-list-map-keys`. */
function checkListType(schema: any, value: any, at: string, fail: (msg: string) => void): void {
  const type = schema['x-kubernetes-list-type'];
  if (!Array.isArray(value) || (type !== 'set' && type !== 'map')) return;
  const keys: string[] = schema['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  for (const item of value) {
    const key = JSON.stringify(type === 'set' ? item : keys.map((k) => item?.[k]));
    if (seen.has(key)) fail(`${at} duplicate entry ${key} in list of type ${type}`);
    seen.add(key);
  }
}

function toCel(schema: any, value: any): any {
  if (typeof value === 'number' && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'])) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(schema?.items, v));
  if (value === null || typeof value !== 'object') return value;
  const additional = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(schema?.properties?.[k] ?? additional, v)]));
}

const programs = new Map<string, ((ctx: any) => any) | string>();

/** A compiled rule, or why it cannot be evaluated (exported so a test can go over the whole bundle). */
export function compileRule(rule: string): ((ctx: any) => any) | string {
  let program = programs.get(rule);
  if (program === undefined) {
    if (/\boldSelf\b/.test(rule)) {
      program = 'transition rule: needs the stored object (oldSelf)';
    } else {
      try {
        const parsed = celEnvironment().parse(indexedHas(rule));
        const check = parsed.check();
        program = check.valid ? parsed : `does not compile: ${check.error.message.split('\n')[0]}`;
      } catch (e: any) {
        program = `does not parse: ${e.message.split('\n')[0]}`;
      }
    }
    programs.set(rule, program!);
  }
  return program!;
}

/**
 * cel-js's `has()` takes a field path from an identifier only; Gateway API's rules test fields of list items
 * (`has(self[0].matches)`). On the plain maps the rules see, `'matches' in self[0]` means the same.
 */
function indexedHas(rule: string): string {
  return rule.replace(/has\(([^()]*\[[^()]*)\.(\w+)\)/g, "('$2' in $1)");
}

let environment: any;

/** CEL with the Kubernetes URL and IP functions the bundles use (`isURL`, `url(...).getScheme()`, `isIP`); others are in cel-js. */
function celEnvironment(): any {
  if (!environment) {
    const cel = requireEsm(require.resolve('@marcbachmann/cel-js'));
    environment = new cel.Environment()
      .registerVariable('self', 'dyn')
      .registerType('kubernetes.URL', KubernetesUrl)
      .registerFunction('isURL(string): bool', (s: string) => KubernetesUrl.parse(s) !== undefined)
      .registerFunction('url(string): kubernetes.URL', (s: string) => {
        const url = KubernetesUrl.parse(s);
        if (!url) throw new Error(`URL parse error: ${s}`);
        return url;
      })
      .registerFunction('kubernetes.URL.getScheme(): string', (u: KubernetesUrl) => u.scheme)
      .registerFunction('isIP(string): bool', (s: string) => net.isIP(s) !== 0);
  }
  return environment;
}

/** Like Go's `url.ParseRequestURI`, as Kubernetes' `isURL` uses it: an absolute URL or an absolute path. */
class KubernetesUrl {
  public static parse(s: string): KubernetesUrl | undefined {
    if (s.startsWith('/')) return new KubernetesUrl('');
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\S/.exec(s);
    return scheme ? new KubernetesUrl(scheme[1].toLowerCase()) : undefined;
  }

  private constructor(public readonly scheme: string) {}
}

/**
 * cel-js is ESM only, which Jest cannot `require` on Node 20: transpile its (dependency-free) files to CommonJS
 * once and link them ourselves.
 */
function requireEsm(entry: string): any {
  const loaded = new Map<string, { exports: any }>();
  const load = (file: string): any => {
    const cached = loaded.get(file);
    if (cached) return cached.exports;
    const mod = { exports: {} };
    loaded.set(file, mod);
    const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options }).outputText;
    new Function('exports', 'require', 'module', js)(mod.exports, (dep: string) => load(path.resolve(path.dirname(file), dep)), mod);
    return mod.exports;
  };
  return load(entry);
}
