// Rules on Istio AuthorizationPolicies: principals, wildcards and rules that admit every client.
import { authorizationPolicies, sourceEntries, sourceField, finding, list, emptyObject, allowPolicy, positiveSourceFields, Placed } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { SPIFFE_SCHEME } from '../model/_identity';
import { DRY_RUN_ANNOTATION } from '../model/_istio-spec';
import { isObject } from '../model/_label-selector';

/** Why an ALLOW source admits everyone, or undefined when it names someone (sources of addresses alone are ZT422's). */
function openSource(source: unknown): string | undefined {
  if (!isObject(source) || emptyObject(source)) return 'the source is empty, so it admits every client';
  if (positiveSourceFields(source).length === 0) return 'the source has only not-forms, so it admits every client but those';
  return undefined;
}

/** Rules on Istio AuthorizationPolicies: principals, wildcards and rules that admit every client, each rule one object. */
export const AUTHORIZATION_RULES: Rule[] = [
  {
    id: 'ZT405',
    title: 'AuthorizationPolicy principal with a `spiffe://` prefix',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio principals are SPIFFE ids without the scheme; a principal with it never matches, so the rule silently does nothing.',
    suppressible: true,
    check(ctx) {
      return sourceEntries(ctx).filter(e => ['principals', 'notPrincipals'].includes(e.key) && e.value.startsWith(SPIFFE_SCHEME)).map(e =>
        finding('ZT405', e.o, sourceField(e), `principal "${e.value}" has the spiffe:// scheme, which Istio principals never carry, so it never matches`,
          `Write it without the scheme: "${e.value.slice(SPIFFE_SCHEME.length)}".`));
    },
  },
  {
    id: 'ZT406',
    title: 'Wildcard principal, request principal or namespace in an ALLOW AuthorizationPolicy',
    severity: RuleSeverity.ERROR,
    rationale: 'A `*` in `principals`, `requestPrincipals` or `namespaces` admits identities that no flow declared; only `<issuer>/*` in `requestPrincipals` (any end user of one named issuer, as `requireJwt` emits) passes. ZT405, ZT406, ZT407, ZT421 and ZT422 also check the ALLOW policies of the mesh\'s root namespace.',
    suppressible: true,
    check(ctx) {
      // Any subject of one named issuer (`<issuer>/*`) is what requiring end-user tokens means; the principals name the clients.
      const issuerSubjects = (key: string, value: string) => key === 'requestPrincipals' && /^[^*]+\/\*$/.test(value);
      return sourceEntries(ctx).filter(e => !e.key.startsWith('not') && allowPolicy(e.o) && e.value.includes('*') && !issuerSubjects(e.key, e.value)).map(e =>
        finding('ZT406', e.o, sourceField(e), `"${e.value}" is a wildcard, which admits identities nobody declared`, 'Name each client principal exactly.'));
    },
  },
  {
    id: 'ZT407',
    title: 'ALLOW AuthorizationPolicy rule that admits every client',
    severity: RuleSeverity.ERROR,
    rationale: 'A rule without `from`, an empty source or a source of not-forms only (`notPrincipals`, `notRequestPrincipals`, `notNamespaces`, `notIpBlocks`...) matches any client (`rules: [{}]` allows everything).',
    suppressible: true,
    check(ctx) {
      const fix = 'Name the clients in `from[].source.principals`.';
      return authorizationPolicies(ctx).filter(allowPolicy).flatMap(o => list(o.spec.rules).flatMap((rule, i) => {
        if (list(rule?.from).length === 0) {
          return [finding('ZT407', o, `spec.rules[${i}]`, 'the ALLOW rule has no `from`, so it admits every client', fix)];
        }
        return list(rule.from).flatMap((from, j) => {
          const problem = openSource(from?.source);
          return problem ? [finding('ZT407', o, `spec.rules[${i}].from[${j}].source`, problem, fix)] : [];
        });
      }));
    },
  },
  {
    id: 'ZT431',
    title: 'AuthorizationPolicy in dry-run mode (`istio.io/dry-run`)',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio only logs the verdict of a policy annotated `istio.io/dry-run: "true"` and does not enforce it: on a server\'s policy or the namespace\'s `zt-allow-nothing` it turns authorization (and HTTP rules and required tokens) off while the objects look the same. The annotation is refused on the AuthorizationPolicies of managed namespaces and of the root namespace, whatever its value.',
    suppressible: true,
    check(ctx) {
      const dryRun = (o: Placed) => isObject(o.manifest.metadata?.annotations) && DRY_RUN_ANNOTATION in o.manifest.metadata.annotations;
      return authorizationPolicies(ctx).filter(dryRun).map(o =>
        finding('ZT431', o, `metadata.annotations["${DRY_RUN_ANNOTATION}"]`,
          `${JSON.stringify(o.manifest.metadata.annotations[DRY_RUN_ANNOTATION])}: Istio logs a dry-run policy's verdict and does not enforce it`,
          'Remove the annotation; try a policy out on a namespace the app does not manage.'));
    },
  },
];
