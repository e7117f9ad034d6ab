/**
 * Options for a flow from one MeshedService to another.
 */
export interface AllowToOptions {
  /**
   * The server ports the client may connect to: a subset of the server's ports.
   * @default - all of the server's ports
   */
  readonly ports?: number[];

  /**
   * Whether a flow from a service to itself (its replicas calling each other) is meant.
   * @default false
   */
  readonly allowSelf?: boolean;
}
