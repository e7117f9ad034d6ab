// One zero-trust rule: its catalog entry and, for rules that inspect synthesized objects, its check.
import type { Finding, ManifestContext } from './_manifest-objects';
import { RuleInfo } from './rule-info';

/**
 * A rule of the registry. Construct-time rules (ZT1xx-ZT3xx) and the proof's (ZT416, ZT417) have no check here:
 * they are checked where the input is declared or proven, and only their metadata lives in the registry.
 */
export interface Rule extends RuleInfo {
  /** The findings of the rule among the synthesized objects. */
  readonly check?: (ctx: ManifestContext) => Finding[];
}
