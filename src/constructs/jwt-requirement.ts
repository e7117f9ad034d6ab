/**
 * A JSON Web Token that every request to a service must carry, from `MeshedService.requireJwt()`.
 *
 * The service gets a RequestAuthentication that validates tokens of the issuer (and rejects invalid ones, 401), and
 * its AuthorizationPolicy requires a request principal of the issuer (`<issuer>/*`) in every rule, beside the client's
 * principal. A RequestAuthentication alone would still admit requests without a token. In ambient mode both attach to
 * the service's Service (targetRefs) and its namespace's waypoint enforces them.
 */
export interface JwtRequirement {
  /**
   * The issuer, the token's `iss` claim, such as `https://accounts.example.com`; no `*`.
   */
  readonly issuer: string;

  /**
   * The https URL of the issuer's JSON Web Key Set, which the proxy fetches to verify the token's signature.
   */
  readonly jwksUri: string;

  /**
   * The audiences a token must name in its `aud` claim, one of them at least.
   * @default - the token's audience is not checked
   */
  readonly audiences?: string[];
}
