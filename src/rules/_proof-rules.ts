// Rules of the ZT416 proof, checked by the app's guard (guard/_verify.ts and guard/_guard.ts).
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';

/** Rules of the ZT416 proof, checked by the app's guard (guard/_verify.ts and guard/_guard.ts). */
export const PROOF_RULES: Rule[] = [
  {
    id: 'ZT416',
    title: 'Allowed flows differ from declared flows',
    severity: RuleSeverity.ERROR,
    rationale: 'The reachability analyzer reads the synthesized policies back with the Kubernetes and Istio semantics; on each side alone (client egress, server ingress, server authorization) they must allow exactly the declared flows. Extra objects, patches or bugs that open more, or refuse a declared flow, show here.',
    suppressible: true,
  },
  {
    id: 'ZT417',
    title: 'Policies the analyzer cannot read',
    severity: RuleSeverity.ERROR,
    rationale: 'Without reading every policy the analyzer cannot prove what the app allows; it never guesses. Suppress only for policy features it does not model (`when` conditions other than `connection.sni`, `remoteIpBlocks`), and review those by hand.',
    suppressible: true,
  },
];
