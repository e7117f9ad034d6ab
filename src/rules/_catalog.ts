// The zero-trust rule registry: every rule, one object each, gathered from the rule groups.
// The rule table of docs/rules.md is written from it.
import { AUTHORIZATION_RULES } from './_authorization-rules';
import { CONSTRUCT_RULES } from './_construct-rules';
import { EGRESS_RULES } from './_egress-rules';
import { GATEWAY_RULES } from './_gateway-rules';
import { L7_RULES } from './_l7-rules';
import { MESH_RULES } from './_mesh-rules';
import { formatRuleMessage } from './_message';
import { NETWORK_POLICY_RULES } from './_network-policy-rules';
import { OPENING_RULES } from './_openings-rules';
import { PLATFORM_RULES } from './_platform-rules';
import { POD_RULES } from './_pod-rules';
import { PROOF_RULES } from './_proof-rules';
import { Rule } from './_rule';
import { TOKEN_RULES } from './_token-rules';
import { WAYPOINT_RULES } from './_waypoint-rules';
import { RuleInfo } from './rule-info';
import { compareStrings } from '../util/_collections';

/** Every rule, one object each, in id order: the one registry of ids, metadata and checks. */
export const RULES: Rule[] = [
  ...CONSTRUCT_RULES, ...GATEWAY_RULES, ...NETWORK_POLICY_RULES, ...AUTHORIZATION_RULES, ...MESH_RULES, ...POD_RULES, ...OPENING_RULES,
  ...PROOF_RULES, ...PLATFORM_RULES, ...EGRESS_RULES, ...L7_RULES, ...TOKEN_RULES, ...WAYPOINT_RULES,
].sort((x, y) => compareStrings(x.id, y.id));

/** Every rule's catalog entry, without its check, in id order. */
export const RULE_CATALOG: RuleInfo[] = RULES.map(r => ({
  id: r.id, title: r.title, severity: r.severity, rationale: r.rationale, suppressible: r.suppressible,
}));

/**
 * Looks a rule up by id.
 */
export function ruleInfo(id: string): RuleInfo {
  const found = RULE_CATALOG.find(r => r.id === id);
  if (!found) {
    throw new Error(`unknown zero-trust rule id ${id}`);
  }
  return found;
}

/**
 * Formats a rule's message: `[ZT104] shop/web-to-api: what is wrong. How to fix it.`
 */
export function ruleMessage(id: string, path: string, problem: string, fix: string): string {
  ruleInfo(id);
  return formatRuleMessage(id, path, problem, fix);
}

/** The catalog as the Markdown table of docs/rules.md. */
export function ruleTableMarkdown(): string {
  const rows = RULE_CATALOG.map(r => `| ${r.id} | ${r.severity} | ${r.suppressible ? 'yes' : 'no'} | ${r.title} | ${r.rationale} |`);
  return ['| id | severity | suppressible | rule | why |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
