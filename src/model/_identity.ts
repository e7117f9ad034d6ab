// Workload identity: how a ServiceAccount becomes a SPIFFE id and an Istio principal, in one place.

/** The scheme of a SPIFFE id, which Istio principals leave out. */
export const SPIFFE_SCHEME = 'spiffe://';

/** The trust domain of a namespace or analysis that names none: Istio's default. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** A principal without its trust domain, `ns/<namespace>/sa/<service account>`: the same in every trust domain. */
export function identityPath(namespace: string, serviceAccount: string): string {
  return `ns/${namespace}/sa/${serviceAccount}`;
}

/** The Istio principal of a ServiceAccount: its SPIFFE id without the scheme, `<trust domain>/ns/<ns>/sa/<sa>`. */
export function principalOf(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/${identityPath(namespace, serviceAccount)}`;
}
