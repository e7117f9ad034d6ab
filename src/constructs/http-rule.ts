/**
 * The HTTP requests a flow admits on its ports: the server's AuthorizationPolicy admits the client only for requests
 * with one of the methods and on one of the paths (Istio `to.operation.methods` and `paths`).
 *
 * A sidecar enforces it, or for an ambient server its namespace's waypoint, on HTTP, HTTP/2 and gRPC ports; a flow
 * without `http` admits every request.
 */
export interface HttpRule {
  /**
   * The HTTP methods admitted: uppercase tokens such as `GET` (gRPC calls are all `POST`).
   * @default - any method
   */
  readonly methods?: string[];

  /**
   * The paths admitted: exact paths such as `/healthz`, or a prefix ending in `/*` such as `/v1/*`, which admits every
   * path under `/v1/` (not `/v1` itself). Istio matches them against the normalized request path; patterns it would
   * not match safely are refused (a `*` elsewhere, `.` or `..` segments, `//`, percent-encoding, `?`, `#`, `\` and the
   * `{*}`/`{**}` templates).
   * @default - any path
   */
  readonly paths?: string[];
}
