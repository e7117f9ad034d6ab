import { PathMatchType } from '../model/_gateway-api-spec';
import { ruleMessage } from '../rules/_catalog';

/**
 * A path that a route of an `IngressGateway` matches: a prefix (whole path segments) or an exact path.
 *
 * Paths must start with `/` and may not hold `..`, `//`, `%`, `?` or `#`: Istio and Envoy normalise such paths before
 * matching, so what the route reads and what it matches could differ.
 */
export class RoutePath {
  /**
   * Every path under a prefix, by whole segments: `/api` matches `/api` and `/api/v1`, not `/apis`.
   * @param prefix the prefix, starting with `/`
   */
  public static prefix(prefix: string): RoutePath {
    return new RoutePath('PathPrefix', prefix);
  }

  /**
   * Exactly one path.
   * @param path the path, starting with `/`
   */
  public static exact(path: string): RoutePath {
    return new RoutePath('Exact', path);
  }

  /**
   * How the path matches: `PathPrefix` or `Exact`.
   */
  public readonly type: string;

  /**
   * The path.
   */
  public readonly value: string;

  private constructor(type: PathMatchType, value: string) {
    const problem = routePathProblem(value);
    if (problem) {
      throw new Error(ruleMessage('ZT120', `RoutePath.${type === 'Exact' ? 'exact' : 'prefix'}(${JSON.stringify(value)})`, problem,
        'Give a plain path starting with "/", such as "/api", without "..", "//", "%", "?" or "#".'));
    }
    this.type = type;
    this.value = value;
  }
}

/** Why a path is not one a route may match safely, or undefined. */
function routePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `the path "${path}" does not start with "/"`;
  if (path.length > 1024) return `the path is ${path.length} characters long, over the limit of 1024`;
  for (const unsafe of ['..', '//', '%', '?', '#']) {
    if (path.includes(unsafe)) return `the path "${path}" holds "${unsafe}", which Istio normalises or strips before matching, so the route would not match what it reads`;
  }
  if (/[\s\u0000-\u001f\u007f*]/.test(path)) return `the path "${path}" holds a space, a control character or "*", which a path match takes literally`;
  return undefined;
}
