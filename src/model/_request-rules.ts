// The request rules of flows: which HTTP requests a flow admits on each port, and how two declarations merge.
import type { AuthorizationOperationSpec } from './_istio-spec';
import { compareStrings, groupSorted } from '../util/_collections';

/** The requests one declaration admits on a port: methods and paths sorted and distinct; an absent list is any. */
export interface RequestRule {
  readonly methods?: string[];
  readonly paths?: string[];
}

/** Per port, the request rules that together admit its requests; a port without an entry admits every request. */
export type PortRequests = ReadonlyMap<number, readonly RequestRule[]>;

function ruleKey(r: RequestRule): string {
  return JSON.stringify([r.methods ?? null, r.paths ?? null]);
}

/**
 * The request rules of two declarations of one flow, by port: the union of their rules; a port that one declaration
 * admits whole (declared without `http`) stays whole, as the wider declaration wins. Undefined when no port is narrowed.
 */
export function mergeRequests(
  aPorts: readonly number[], a: PortRequests | undefined, bPorts: readonly number[], b: PortRequests | undefined,
): PortRequests | undefined {
  const out = new Map<number, RequestRule[]>();
  for (const port of new Set([...aPorts, ...bPorts])) {
    const sides = [[aPorts, a], [bPorts, b]] as const;
    const declared = sides.filter(([ports]) => ports.includes(port));
    if (declared.some(([, requests]) => !requests?.has(port))) continue;
    const rules = new Map(declared.flatMap(([, requests]) => requests!.get(port)!).map(r => [ruleKey(r), r]));
    out.set(port, [...rules.keys()].sort(compareStrings).map(k => rules.get(k)!));
  }
  return out.size > 0 ? out : undefined;
}

/**
 * The AuthorizationPolicy rules' `to` for a flow's ports, with a key that groups clients of equal operations: one for
 * the ports that admit every request, one with an operation per request rule for the others. They must be separate
 * rules: on plain TCP Istio drops a whole ALLOW rule that has an HTTP-only field, which would refuse the TCP ports too.
 */
export function operationsOf(
  ports: readonly number[], requests: PortRequests | undefined,
): Array<{ key: string; operations: AuthorizationOperationSpec[] }> {
  const whole = ports.filter(p => !requests?.has(p));
  const out: Array<{ key: string; operations: AuthorizationOperationSpec[] }> = whole.length > 0 ? [{ key: whole.join(','), operations: [{ ports: whole.map(String) }] }] : [];
  const narrowed = ports.filter(p => requests?.has(p));
  const operations: AuthorizationOperationSpec[] = [];
  for (const [, group] of groupSorted(narrowed, p => requests!.get(p)!.map(ruleKey).join(' '))) {
    for (const rule of requests!.get(group[0])!) {
      operations.push({ ports: group.map(String), ...rule.methods ? { methods: rule.methods } : {}, ...rule.paths ? { paths: rule.paths } : {} });
    }
  }
  // The space sorts the narrowed rule right after a whole rule of the same ports.
  if (operations.length > 0) out.push({ key: `${narrowed.join(',')} ${JSON.stringify(operations)}`, operations });
  return out;
}
