// The format of every rule message, shared by the catalog's ruleMessage and the findings of the checks.

/** `[ZT104] shop/web-to-api: what is wrong. How to fix it.` */
export function formatRuleMessage(id: string, path: string, problem: string, fix: string): string {
  return `[${id}] ${path}: ${problem}. ${fix}`;
}
