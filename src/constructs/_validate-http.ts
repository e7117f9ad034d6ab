// Construct-time checks of HTTP rules (ZT110-ZT114): a flow's request rules, per port.
import type { HttpRule } from './http-rule';
import { AppProtocol } from './service-port';
import { FlowNamespace } from '../model/_flow';
import { PortRequests, RequestRule } from '../model/_request-rules';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { compareStrings } from '../util/_collections';

/** What the check needs of the server. */
export interface HttpServer {
  readonly name: string;
  readonly namespace: FlowNamespace;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly protocol: AppProtocol }>;
}

const METHOD = /^[A-Z][A-Z-]*$/;
/** RFC 3986 path characters, without `%` (percent-encoding) and `*` (checked apart). */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()+,;=:@/]*$/;

/** Why Istio would not match a path pattern as written, or undefined. */
export function pathPatternProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'does not start with /';
  if (/[{}]/.test(path)) return 'is a {*}/{**} template, which the library does not model';
  const body = path.endsWith('/*') ? path.slice(0, -1) : path;
  if (body.includes('*')) return 'has a * that is not a final /* (Istio matches only prefix, suffix and exact patterns)';
  if (body.includes('%')) return 'has percent-encoding, which Istio decodes in requests before matching, so the pattern never matches as written';
  if (/[?#]/.test(body)) return 'has a query or fragment, which Istio strips from requests before matching';
  if (body.includes('\\')) return 'has a backslash, which Istio turns into / in requests before matching';
  if (!PATH_CHARS.test(body)) return 'has characters that are not valid in a URL path';
  if (body.includes('//')) return 'has an empty segment (//), which requests may merge or not depending on the mesh configuration';
  if (body.split('/').some(s => s === '.' || s === '..')) return 'has a . or .. segment, which Istio resolves in requests before matching';
  return undefined;
}

function sortedDistinct(values: string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/**
 * The request rules of one flow declaration on `ports`, or undefined without `http`; throws a rule message naming
 * `declaredBy()` for an HTTP rule the server cannot enforce or Istio would not match as written.
 */
export function requestsOf(declaredBy: () => string, to: HttpServer, ports: number[], http: HttpRule | undefined): PortRequests | undefined {
  if (http === undefined) return undefined;
  // In ambient mode the server's waypoint enforces the rule (constructs/_waypoint).
  if (to.namespace.mesh === MeshMode.NONE) {
    throw new Error(ruleMessage('ZT110', declaredBy(), `${to.name} is outside the mesh, where no proxy evaluates HTTP, so the HTTP rule cannot be enforced`,
      'Drop `http` to allow the ports, or put the server in the mesh (MeshMode.SIDECAR or AMBIENT).'));
  }
  const opaque = ports.filter(p => to.ports.find(sp => sp.port === p)?.protocol === AppProtocol.TCP);
  if (opaque.length > 0) {
    throw new Error(ruleMessage('ZT111', declaredBy(), `port ${opaque.join(', ')} of ${to.name} is TCP, where Istio evaluates no HTTP field`,
      'Give `ports` only HTTP or gRPC ports of the server with `http`, and declare the TCP ports in a flow of their own.'));
  }
  const empty = (list?: string[]) => list !== undefined && list.length === 0;
  if ((http.methods === undefined && http.paths === undefined) || empty(http.methods) || empty(http.paths)) {
    throw new Error(ruleMessage('ZT114', declaredBy(), 'the HTTP rule names no method or no path, which Istio reads as any',
      'Give methods or paths, or drop `http` (or the empty list) to admit every request.'));
  }
  for (const method of http.methods ?? []) {
    if (!METHOD.test(method)) {
      throw new Error(ruleMessage('ZT112', declaredBy(), `method ${JSON.stringify(method)} is not an uppercase HTTP method`, 'Write it in uppercase, such as "GET".'));
    }
  }
  for (const path of http.paths ?? []) {
    const problem = pathPatternProblem(path);
    if (problem) {
      throw new Error(ruleMessage('ZT113', declaredBy(), `path ${JSON.stringify(path)} ${problem}`,
        'Give an exact path such as "/healthz" or a prefix ending in "/*" such as "/v1/*".'));
    }
  }
  const rule: RequestRule = {
    ...http.methods ? { methods: sortedDistinct(http.methods) } : {},
    ...http.paths ? { paths: sortedDistinct(http.paths) } : {},
  };
  return new Map(ports.map(p => [p, [rule]]));
}
