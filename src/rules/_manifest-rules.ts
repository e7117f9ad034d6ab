/**
 * Runs the zero-trust rules that inspect synthesized objects (ZT4xx errors, ZT5xx warnings), and splits their
 * findings into errors, warnings and suppressed ones.
 * They check every object that lands in a managed namespace, whoever emitted it: they guard against the
 * library's bugs as much as the user's.
 */
import { IConstruct } from 'constructs';
import { RULES, ruleInfo } from './_catalog';
import { ManifestContext, Finding } from './_manifest-objects';
import { Rule } from './_rule';
import { RuleSeverity } from './rule-info';
import { ZeroTrustRules } from './zero-trust-rules';
import { compareStrings } from '../util/_collections';

export type { DeclaredAddresses, Finding, ManagedNamespace, ManifestContext, ManifestObject } from './_manifest-objects';

/** The rules that inspect synthesized objects: those of the registry with a check, in id order. */
export const MANIFEST_RULES = RULES.filter((r): r is Rule & Required<Pick<Rule, 'check'>> => r.check !== undefined);

function compareFindings(a: Finding, b: Finding): number {
  return compareStrings(a.path, b.path) || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message);
}

/** Runs every manifest rule; findings sorted by path, then rule id, then message. */
export function runManifestRules(ctx: ManifestContext): Finding[] {
  return MANIFEST_RULES.flatMap(r => r.check(ctx)).sort(compareFindings);
}

/**
 * Splits findings into errors, warnings and suppressed ones (those under a suppression of their rule), and
 * annotates every ApiObject under a suppression with its reason. Idempotent, so each synth may call it.
 */
export function applySuppressions(findings: Finding[], root: IConstruct): { errors: Finding[]; warnings: Finding[]; suppressed: Finding[] } {
  const suppressions = ZeroTrustRules._suppressions(root);
  ZeroTrustRules._annotate(root, suppressions);
  const result = { errors: [] as Finding[], warnings: [] as Finding[], suppressed: [] as Finding[] };
  for (const f of findings) {
    if (suppressions.some(s => s.ruleId === f.ruleId && ZeroTrustRules._covers(s.path, f.path))) {
      result.suppressed.push(f);
    } else if (ruleInfo(f.ruleId).severity === RuleSeverity.ERROR) {
      result.errors.push(f);
    } else {
      result.warnings.push(f);
    }
  }
  return result;
}
