// Rules on RequestAuthentications: the keys and issuers that decide which end-user tokens the managed workloads accept.
import { declaredObject, finding, landed, list, rootObjects, view, ManifestContext } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** The issuers `requireJwt` declares anywhere in the app. */
function declaredIssuers(ctx: ManifestContext): string[] {
  return view(ctx, 'declaredIssuers', () => [...new Set((ctx.declared ?? []).filter(m => m.kind === 'RequestAuthentication')
    .flatMap(m => list(m.spec?.jwtRules).map(r => r?.issuer)))]);
}

/**
 * The declared issuer whose `<issuer>/*` request principals a token of `issuer` can match: Istio's request principal
 * is `<iss>/<sub>` and `<issuer>/*` a string prefix, so the same issuer, a longer one under it, or a shorter one whose
 * subjects can spell the rest all match.
 */
function shadowedIssuer(ctx: ManifestContext, issuer: unknown): string | undefined {
  if (typeof issuer !== 'string') return undefined;
  return declaredIssuers(ctx).find(d => issuer === d || issuer.startsWith(`${d}/`) || d.startsWith(`${issuer}/`));
}

/** Rules on RequestAuthentications, each rule one object. */
export const TOKEN_RULES: Rule[] = [
  {
    id: 'ZT432',
    title: 'RequestAuthentication that is not exactly one `requireJwt` declares, or that validates a declared issuer\'s tokens',
    severity: RuleSeverity.ERROR,
    rationale: 'A RequestAuthentication decides which keys sign valid tokens: a patched `jwksUri`, inline `jwks` or dropped `audiences`, or a second one in the namespace with the same issuer and other keys, lets anyone who holds those keys pass `requireJwt`. In a managed namespace only the RequestAuthentications `requireJwt` renders pass, exactly as rendered: a selector for a sidecar server, `targetRefs` to the Service of an ambient one (its waypoint applies no other form). Istio matches the request principals `<issuer>/*` as a string prefix of `<iss>/<sub>`, so in the root namespace, whose RequestAuthentications apply to every workload (or, targeting the `istio-waypoint` GatewayClass, to every waypoint), a jwtRule whose issuer is a declared issuer, starts with one followed by `/`, or is one\'s prefix followed by `/`, is refused too.',
    suppressible: true,
    check(ctx) {
      const undeclared = landed(ctx, ['RequestAuthentication']).filter(o => !declaredObject(ctx, o)).map(o => finding('ZT432', o, '',
        'the RequestAuthentication is not one that `requireJwt` declares, as it renders it, so its keys, issuers or audiences are not the declared ones',
        'Declare end-user tokens with `MeshedService.requireJwt`; do not patch its RequestAuthentication or add another.'));
      const shadowing = rootObjects(ctx, ['RequestAuthentication']).flatMap(o => list(o.spec.jwtRules).flatMap((rule, i) => {
        const declared = shadowedIssuer(ctx, rule?.issuer);
        return declared === undefined ? [] : [finding('ZT432', o, `spec.jwtRules[${i}].issuer`,
          `issuer ${JSON.stringify(rule.issuer)} validates tokens whose request principals match the declared "${declared}/*" of \`requireJwt\`, with other keys`,
          'Give the root namespace\'s RequestAuthentications other issuers: not a declared one, not under one (`<declared>/...`), not a parent path of one.')];
      }));
      return [...undeclared, ...shadowing];
    },
  },
];
