// Rules checked when a flow narrows requests (HTTP rules) or a service requires end-user tokens (JWT); their checks
// throw in constructs/, where the bad input is declared.
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** Rules on HTTP rules and JWT requirements, each rule one object. */
export const L7_RULES: Rule[] = [
  {
    id: 'ZT110',
    title: 'HTTP rule or JWT requirement on a server outside the mesh',
    severity: RuleSeverity.ERROR,
    rationale: 'Only an Envoy proxy evaluates methods, paths and tokens: a sidecar, or in ambient mode the namespace\'s waypoint, which HTTP rules and `requireJwt` on an ambient server bring (ztunnel evaluates no HTTP field). Outside the mesh nothing enforces either.',
    suppressible: false,
  },
  {
    id: 'ZT111',
    title: 'HTTP rule on a port that is not HTTP, HTTP/2 or gRPC',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio treats a TCP port as opaque: an ALLOW rule with methods or paths never matches there, so the flow would be refused.',
    suppressible: false,
  },
  {
    id: 'ZT112',
    title: 'HTTP rule with an invalid method',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio rejects requests whose method is not uppercase, and matches methods exactly; anything but an uppercase token never matches.',
    suppressible: false,
  },
  {
    id: 'ZT113',
    title: 'HTTP rule with a path pattern Istio would not match safely',
    severity: RuleSeverity.ERROR,
    rationale: 'Istio matches paths after normalizing the request (`.` and `..` resolved, unreserved characters decoded; slashes are not merged by default). Only exact paths and `/prefix/*` match as written; a `*` elsewhere, `//`, dot segments, percent-encoding, `?`, `#`, `\\` and `{*}` templates match something else than they say, or nothing.',
    suppressible: false,
  },
  {
    id: 'ZT114',
    title: 'HTTP rule that names no method or path',
    severity: RuleSeverity.ERROR,
    rationale: 'An empty rule or an empty list reads in Istio as "any": it would admit every request while looking like a narrowing.',
    suppressible: false,
  },
  {
    id: 'ZT115',
    title: 'Invalid JWT requirement',
    severity: RuleSeverity.ERROR,
    rationale: 'The issuer must be a non-empty string without `*` (it prefixes the request principals `<issuer>/*`), the JWKS must be fetched over https, audiences must be non-empty strings, and an issuer is required once per service.',
    suppressible: false,
  },
];
