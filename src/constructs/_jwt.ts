// Construct-time checks of JWT requirements (ZT110, ZT111, ZT115) and the RequestAuthentication they render to.
import type { HttpServer } from './_validate-http';
import { serviceTarget } from './_waypoint';
import type { JwtRequirement } from './jwt-requirement';
import { AppProtocol } from './service-port';
import { JwtRuleSpec, RequestAuthenticationSpec } from '../model/_istio-spec';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';
import { compareStrings } from '../util/_collections';

function httpsUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  return url.protocol === 'https:' && url.hostname !== '' ? undefined : 'is not an https URL';
}

/** Checks one JWT requirement of `server`, given its earlier ones, and returns its jwtRule; throws a rule message. */
export function checkJwtRequirement(where: string, server: HttpServer, jwt: JwtRequirement, earlier: readonly JwtRuleSpec[]): JwtRuleSpec {
  if (server.namespace.mesh === MeshMode.NONE) {
    throw new Error(ruleMessage('ZT110', where, `${server.name} is outside the mesh, so no proxy would check tokens on it`,
      'Put the server in the mesh: MeshMode.SIDECAR, or MeshMode.AMBIENT, where its namespace\'s waypoint checks them.'));
  }
  const opaque = server.ports.filter(p => p.protocol === AppProtocol.TCP).map(p => p.port);
  if (server.ports.length === 0 || opaque.length > 0) {
    throw new Error(ruleMessage('ZT111', where, server.ports.length === 0 ? `${server.name} serves no ports` : `port ${opaque.join(', ')} of ${server.name} is TCP, where Istio cannot check tokens, so every flow there would be refused`,
      'Require tokens on a service whose ports are all HTTP or gRPC.'));
  }
  const issuerProblem = typeof jwt.issuer !== 'string' || jwt.issuer.trim() === '' ? 'is empty'
    : /[*\s]/.test(jwt.issuer) ? 'has a * or whitespace' : earlier.some(r => r.issuer === jwt.issuer) ? 'is required twice' : undefined;
  if (issuerProblem) {
    throw new Error(ruleMessage('ZT115', where, `issuer ${JSON.stringify(jwt.issuer)} ${issuerProblem}`, 'Give the issuer\'s exact `iss` claim, once.'));
  }
  const uriProblem = httpsUrlProblem(jwt.jwksUri);
  if (uriProblem) {
    throw new Error(ruleMessage('ZT115', where, `jwksUri ${JSON.stringify(jwt.jwksUri)} ${uriProblem}`, 'Give the https URL of the issuer\'s JSON Web Key Set.'));
  }
  if (jwt.audiences?.some(a => typeof a !== 'string' || a.trim() === '') || jwt.audiences?.length === 0) {
    throw new Error(ruleMessage('ZT115', where, 'audiences has an empty entry or is empty', 'Name each audience, or omit `audiences`.'));
  }
  return { issuer: jwt.issuer, jwksUri: jwt.jwksUri, ...jwt.audiences ? { audiences: [...new Set(jwt.audiences)].sort(compareStrings) } : {} };
}

/**
 * The RequestAuthentication of a server: the tokens of each required issuer, sorted by issuer, validated by its
 * sidecar (a selector) or, in ambient mode, by the waypoint for requests to its Service (targetRefs: a waypoint ignores
 * selector policies).
 */
export function renderRequestAuthentication(
  server: HttpServer & { readonly selector: Record<string, string> }, rules: readonly JwtRuleSpec[],
): RequestAuthenticationSpec {
  const jwtRules = [...rules].sort((a, b) => compareStrings(a.issuer, b.issuer));
  return server.namespace.mesh === MeshMode.AMBIENT
    ? { targetRefs: [serviceTarget(server.name)], jwtRules }
    : { selector: { matchLabels: server.selector }, jwtRules };
}

/** The request principals a server's AuthorizationPolicy requires: any subject of each issuer. */
export function requestPrincipalsOf(rules: readonly JwtRuleSpec[]): string[] {
  return rules.map(r => `${r.issuer}/*`).sort(compareStrings);
}
