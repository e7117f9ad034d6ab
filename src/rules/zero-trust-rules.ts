import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RULE_CATALOG } from './_catalog';
import { RuleInfo } from './rule-info';
import { SUPPRESSION_ANNOTATION_PREFIX } from '../model/_constants';
import { compareStrings } from '../util/_collections';

/** The construct metadata type that records a suppression: `{ ruleId, reason }`. */
const SUPPRESSION_METADATA = 'zero-trust.cdk8s.io/suppression';


/** The shortest reason a suppression accepts, so that it says something. */
const MIN_REASON_LENGTH = 10;

/** The constructs that carry suppressions, by root: synth reads them without walking the whole tree. */
const suppressedScopes = new WeakMap<IConstruct, IConstruct[]>();

/**
 * The zero-trust rule catalog, and suppressions of rules with a written reason.
 */
export class ZeroTrustRules {
  /**
   * Suppresses a rule on a construct and everything below it, with a reason that reviewers will see.
   *
   * Findings of the rule on the ApiObjects of the construct's subtree no longer fail the synth or warn;
   * each of those objects carries the annotation `zero-trust.cdk8s.io/suppress.<id>: <reason>`.
   * @param scope the construct whose subtree the suppression covers
   * @param ruleId the rule to suppress, such as `ZT411`
   * @param reason why breaking the rule is acceptable here: at least 10 characters
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    const where = `ZeroTrustRules.suppress(${scope.node.path || '<root>'}, ${ruleId})`;
    const rule = RULE_CATALOG.find(r => r.id === ruleId);
    if (!rule) {
      throw new Error(`${where}: unknown zero-trust rule id "${ruleId}". See ZeroTrustRules.catalog() for the ids.`);
    }
    if (!rule.suppressible) {
      throw new Error(`${where}: rule ${ruleId} (${rule.title}) cannot be suppressed: breaking it gives an invalid or unenforceable manifest.`);
    }
    const trimmed = (reason ?? '').trim();
    if (trimmed.length < MIN_REASON_LENGTH) {
      throw new Error(`${where}: the reason "${trimmed}" is too short. Say in at least ${MIN_REASON_LENGTH} characters why breaking the rule is acceptable.`);
    }
    if (scope.node.metadata.some(m => m.type === SUPPRESSION_METADATA && m.data.ruleId === ruleId)) {
      throw new Error(`${where}: rule ${ruleId} is already suppressed on this construct. Suppress it once, with one reason.`);
    }
    scope.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason: trimmed });
    const root = scope.node.root;
    const scopes = suppressedScopes.get(root) ?? [];
    if (!scopes.includes(scope)) scopes.push(scope);
    suppressedScopes.set(root, scopes);
  }

  /**
   * Every zero-trust rule, in id order.
   */
  public static catalog(): RuleInfo[] {
    return RULE_CATALOG.map(r => ({ ...r })).sort((a, b) => compareStrings(a.id, b.id));
  }

  /**
   * The suppressions recorded on `root` and below, the deepest scope first (then by path).
   * @internal
   */
  public static _suppressions(root: IConstruct): Array<{ readonly path: string; readonly ruleId: string; readonly reason: string }> {
    const scopes = (suppressedScopes.get(root.node.root) ?? []).filter(c => ZeroTrustRules._covers(root.node.path, c.node.path));
    return scopes.flatMap(c => c.node.metadata.filter(m => m.type === SUPPRESSION_METADATA)
      .map(m => ({ path: c.node.path, ruleId: m.data.ruleId, reason: m.data.reason })))
      .sort((a, b) => b.path.length - a.path.length || compareStrings(a.path, b.path));
  }

  /**
   * Whether a suppression on the construct at `scopePath` covers the construct at `path` (itself or below).
   * @internal
   */
  public static _covers(scopePath: string, path: string): boolean {
    return scopePath === '' || path === scopePath || path.startsWith(`${scopePath}/`);
  }

  /**
   * Adds `zero-trust.cdk8s.io/suppress.<id>: <reason>` to every ApiObject under a suppression, the nearest
   * suppression's reason winning. Idempotent.
   * @internal
   */
  public static _annotate(root: IConstruct, suppressions = ZeroTrustRules._suppressions(root)): void {
    if (suppressions.length === 0) return;
    for (const c of root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      const seen = new Set<string>();
      for (const s of suppressions) {
        if (seen.has(s.ruleId) || !ZeroTrustRules._covers(s.path, c.node.path)) continue;
        seen.add(s.ruleId);
        c.metadata.addAnnotation(`${SUPPRESSION_ANNOTATION_PREFIX}${s.ruleId}`, s.reason);
      }
    }
  }

  private constructor() {}
}
