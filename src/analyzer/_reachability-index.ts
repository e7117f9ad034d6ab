// Lookups of the pods that a policy could admit, so that checks enumerate candidates instead of every pair.
import { Peer, Rule } from './_network-policy-eval';
import { identityPath } from '../model/_identity';
import { Labels } from '../model/_label-selector';
import { addToList } from '../util/_collections';

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
  private readonly byLabel = new LabelTable();
  /** By namespace, then label: a label like the workload name recurs in every namespace. */
  private readonly byNamespacedLabel = new Map<string, LabelTable>();
  private readonly byNamespace = new Map<string, IndexedPod[]>();
  /** By `ns/<namespace>/sa/<service account>`, a principal without its trust domain. */
  private readonly byIdentity = new Map<string, IndexedPod[]>();
  /** `withPrincipals` lookups so far: a client's principal recurs in the policy of each of its servers. */
  private readonly byPrincipal = new Map<string, IndexedPod[]>();
  private readonly withIp: IndexedPod[];

  constructor(pods: IndexedPod[]) {
    for (const pod of pods) {
      let namespaced = this.byNamespacedLabel.get(pod.namespace);
      if (!namespaced) {
        namespaced = new LabelTable();
        this.byNamespacedLabel.set(pod.namespace, namespaced);
      }
      for (const [key, value] of Object.entries(pod.labels)) {
        this.byLabel.add(key, value, pod);
        namespaced.add(key, value, pod);
      }
      addToList(this.byNamespace, pod.namespace, pod);
      addToList(this.byIdentity, identityPath(pod.namespace, pod.serviceAccount), pod);
    }
    this.withIp = pods.filter(p => p.hasIp);
  }

  /**
   * Each peer of `rules` with the pods it may match; undefined when a rule admits every peer, a peer cannot be
   * looked up, or no rule isolates.
   */
  public peerCandidates(rules: Rule[] | undefined): Array<{ readonly rule: Rule; readonly peer: Peer; readonly pods: IndexedPod[] }> | undefined {
    if (rules === undefined) return undefined;
    const out: Array<{ rule: Rule; peer: Peer; pods: IndexedPod[] }> = [];
    for (const rule of rules) {
      if (rule.peers === undefined) return undefined;
      for (const peer of rule.peers) {
        const pods = peer.hint ? this.matching(peer.hint.namespace, peer.hint.labels) : this.withIp;
        if (pods === undefined) return undefined;
        out.push({ rule, peer, pods });
      }
    }
    return out;
  }

  /** The pods running as one of `principals` (`<trust domain>/ns/<namespace>/sa/<service account>`). */
  public withPrincipals(principals: string[]): Set<string> {
    const out = new Set<string>();
    for (const principal of principals) {
      let pods = this.byPrincipal.get(principal);
      if (!pods) {
        // Any trust domain: the exact check compares it.
        pods = this.byIdentity.get(principal.slice(principal.indexOf('/') + 1)) ?? [];
        this.byPrincipal.set(principal, pods);
      }
      for (const pod of pods) out.add(pod.id);
    }
    return out;
  }

  private matching(namespace: string | undefined, labels: Labels): IndexedPod[] | undefined {
    const table = namespace === undefined ? this.byLabel : this.byNamespacedLabel.get(namespace);
    let smallest: IndexedPod[] | undefined;
    for (const key in labels) {
      const list = table?.get(key, labels[key]) ?? [];
      if (smallest === undefined || list.length < smallest.length) smallest = list;
    }
    return smallest ?? (namespace === undefined ? undefined : this.byNamespace.get(namespace) ?? []);
  }
}

/** Pods by label key, then value: lookups without building a key string. */
class LabelTable {
  private readonly byKey = new Map<string, Map<string, IndexedPod[]>>();

  public add(key: string, value: string, pod: IndexedPod): void {
    let byValue = this.byKey.get(key);
    if (!byValue) {
      byValue = new Map();
      this.byKey.set(key, byValue);
    }
    addToList(byValue, value, pod);
  }

  public get(key: string, value: string): IndexedPod[] | undefined {
    return this.byKey.get(key)?.get(value);
  }
}

