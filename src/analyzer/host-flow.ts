// Connections to hosts outside the cluster that the mesh routes through an egress gateway.

/** A connection from a pod to an external host, through an egress gateway, that every layer allows. */
export interface HostFlow {
  /** The client pod, `namespace/pod`. */
  readonly from: string;
  /** The external host, by its DNS name. */
  readonly host: string;
  /** The port the client connects to. */
  readonly port: number;
  /** The egress gateway's pod the connection goes through, `namespace/pod`. */
  readonly via: string;
}
