import { Construct } from 'constructs';
import type { AllowToOptions } from './allow-to-options';
import type { MeshedService } from './meshed-service';

/**
 * Props for `AllowFlow`.
 */
export interface AllowFlowProps extends AllowToOptions {
  /**
   * The client.
   */
  readonly from: MeshedService;

  /**
   * The server.
   */
  readonly to: MeshedService;
}

/**
 * Declares that `from` may open connections to `to`, at every layer; the same as `from.allowTo(to, ...)`.
 *
 * The flow becomes an egress rule on the client's NetworkPolicy, an ingress rule on the server's (a peer in another
 * namespace selects the namespace and the pods in one peer), and, in the mesh, the client's principal in the server's
 * AuthorizationPolicy on those ports. The policies are rendered at synth, so flows declared in any order land.
 */
export class AllowFlow extends Construct {
  /**
   * The client.
   */
  public readonly from: MeshedService;

  /**
   * The server.
   */
  public readonly to: MeshedService;

  constructor(scope: Construct, id: string, props: AllowFlowProps) {
    super(scope, id);
    this.from = props.from;
    this.to = props.to;
    props.from._declareFlow(props.to, props, () => this.node.path);
  }
}
