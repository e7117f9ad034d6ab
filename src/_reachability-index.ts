// Lookups of the pods that a policy could admit, so that checks enumerate candidates instead of every pair.
import { Labels } from './_label-selector';
import { Rule } from './_network-policy-eval';

/** What the index needs of a pod. */
export interface IndexedPod {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly serviceAccount: string;
  readonly hasIp: boolean;
}

/**
 * Pods by label, namespace and identity. Candidate sets over-approximate: every pod a rule can match is in them,
 * and the exact check decides. `undefined` stands for "any pod".
 */
export class PodIndex {
  private readonly byLabel = new Map<string, IndexedPod[]>();
  private readonly byNamespace = new Map<string, IndexedPod[]>();
  private readonly byIdentity = new Map<string, IndexedPod[]>();
  private readonly withIp: IndexedPod[];

  constructor(pods: IndexedPod[]) {
    for (const pod of pods) {
      for (const [key, value] of Object.entries(pod.labels)) push(this.byLabel, `${key}=${value}`, pod);
      push(this.byNamespace, pod.namespace, pod);
      push(this.byIdentity, `${pod.namespace}/${pod.serviceAccount}`, pod);
    }
    this.withIp = pods.filter(p => p.hasIp);
  }

  /** The pods that some peer of `rules` may match; undefined when a rule admits every peer or no rule isolates. */
  public rulePeers(rules: Rule[] | undefined): Set<string> | undefined {
    if (rules === undefined) return undefined;
    const out = new Set<string>();
    for (const rule of rules) {
      if (rule.peers === undefined) return undefined;
      for (const peer of rule.peers) {
        const pods = peer.hint ? this.matching(peer.hint.namespace, peer.hint.labels) : this.withIp;
        if (pods === undefined) return undefined;
        for (const pod of pods) out.add(pod.id);
      }
    }
    return out;
  }

  /** The pods running as one of `principals` (`<trust domain>/ns/<namespace>/sa/<service account>`). */
  public withPrincipals(principals: string[]): Set<string> {
    const out = new Set<string>();
    for (const principal of principals) {
      const m = principal.match(/^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/);
      for (const pod of (m && this.byIdentity.get(`${m[1]}/${m[2]}`)) || []) out.add(pod.id);
    }
    return out;
  }

  private matching(namespace: string | undefined, labels: Labels): IndexedPod[] | undefined {
    const lists = Object.entries(labels).map(([k, v]) => this.byLabel.get(`${k}=${v}`) ?? []);
    if (lists.length === 0) return namespace === undefined ? undefined : this.byNamespace.get(namespace) ?? [];
    const smallest = lists.reduce((a, b) => (b.length < a.length ? b : a));
    return namespace === undefined ? smallest : smallest.filter(p => p.namespace === namespace);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
