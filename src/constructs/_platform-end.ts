// A platform peer's pods in one app, as a flow end: what PlatformPeer declares flows from.
import { Construct, IConstruct } from 'constructs';
import { registerPodStandIn } from '../analyzer/_pod-stand-ins';
import type { PodInput } from '../analyzer/reachability-input';
import { ZeroTrustGuard } from '../guard/_guard';
import { FlowNamespace } from '../model/_flow';
import { DATAPLANE_MODE_LABEL } from '../model/_mesh-labels';
import { MeshMode } from '../model/mesh-mode';
import { ruleMessage } from '../rules/_catalog';

/** What a platform peer made of pods says of its end. */
export interface PlatformEndDescription {
  /** Identifies equal peers. */
  readonly key: string;
  readonly namespace: FlowNamespace;
  readonly serviceAccount: string;
  readonly selector: Record<string, string>;
  readonly principal: string;
}

/** The container of an app's platform peer ends, under the app's root. */
const CONTAINER_ID = 'zero-trust-platform-peers';

/**
 * A platform peer's pods in one app: a flow end, registered with the app's guard, with one stand-in pod for the
 * analyzer. One per peer and app, whichever service declared the first flow.
 */
export class PlatformEnd extends Construct {
  /** The end of `peer` in the app of `scope`, created on first use; refuses a different peer with the same identity. */
  public static of(scope: IConstruct, peer: { readonly _end: PlatformEndDescription }, declaredBy: () => string): PlatformEnd {
    const root = scope.node.root as Construct;
    const container = (root.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ?? new Construct(root, CONTAINER_ID);
    const desc = peer._end;
    const id = `${desc.namespace.name}.${desc.serviceAccount}`;
    const twin = container.node.tryFindChild(id) as PlatformEnd | undefined;
    if (twin === undefined) {
      if (ZeroTrustGuard.managesNamespace(scope, desc.namespace.name)) {
        throw new Error(ruleMessage('ZT144', declaredBy(), `the peer's namespace "${desc.namespace.name}" is managed by the app`,
          'Declare its pods as a MeshedService of that namespace and allow the flow with `allowTo`.'));
      }
      return new PlatformEnd(container, id, desc);
    }
    if (twin.key !== desc.key) {
      throw new Error(ruleMessage('ZT145', declaredBy(), `two platform peers run as ServiceAccount "${desc.serviceAccount}" in "${desc.namespace.name}" but differ`,
        'Create the peer once and pass that PlatformPeer to every flow.'));
    }
    return twin;
  }

  public readonly name: string;
  public readonly namespace: FlowNamespace;
  public readonly selector: { readonly [key: string]: string };
  public readonly principal: string;
  /** No ports: the peer is only ever a client. */
  public readonly ports: ReadonlyArray<{ readonly port: number }> = [];
  private readonly key: string;
  private readonly serviceAccount: string;

  private constructor(scope: Construct, id: string, desc: PlatformEndDescription) {
    super(scope, id);
    this.key = desc.key;
    this.name = desc.serviceAccount;
    this.namespace = desc.namespace;
    this.selector = desc.selector;
    this.principal = desc.principal;
    this.serviceAccount = desc.serviceAccount;
    ZeroTrustGuard.registerEnd(this);
    registerPodStandIn(this);
  }

  /** One pod with the peer's labels and identity, enrolled in its mesh mode. */
  public _reachabilityPods(): PodInput[] {
    const mesh = this.namespace.mesh;
    return [{
      namespace: this.namespace.name,
      name: this.name,
      labels: { ...this.selector, ...(mesh === MeshMode.AMBIENT ? { [DATAPLANE_MODE_LABEL]: 'ambient' } : {}) },
      serviceAccount: this.serviceAccount,
      meshed: mesh !== MeshMode.NONE,
    }];
  }
}
