import { SPIFFE_SCHEME, identityPath, principalOf } from '../../src/model/_identity';

test('a ServiceAccount\'s principal is its SPIFFE id without the scheme', () => {
  expect(identityPath('shop', 'web')).toBe('ns/shop/sa/web');
  expect(principalOf('cluster.local', 'shop', 'web')).toBe('cluster.local/ns/shop/sa/web');
  expect(`${SPIFFE_SCHEME}${principalOf('example.org', 'a', 'b')}`).toBe('spiffe://example.org/ns/a/sa/b');
});
