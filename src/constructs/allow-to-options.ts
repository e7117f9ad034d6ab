import type { HttpRule } from './http-rule';

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

  /**
   * The HTTP requests the client may send on `ports`: methods and paths, in the server's AuthorizationPolicy.
   *
   * Needs a server in the mesh and HTTP, HTTP/2 or gRPC ports (ZT110, ZT111); NetworkPolicy stays at port level. An
   * ambient server is then reached through its namespace's waypoint, whose policy holds the rule (all its clients
   * must be ambient services, ZT150).
   * Declaring the flow again adds rules: a request is admitted when one of them matches, and a declaration of a
   * port without `http` admits every request on it, whatever the other declarations say.
   * @default - every request on the ports
   */
  readonly http?: HttpRule;
}
