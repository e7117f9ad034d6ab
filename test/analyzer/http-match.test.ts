import * as fc from 'fast-check';
import { hostMatch, istioStringMatch, normalizePath, witnesses } from '../../src/analyzer/_http-match';

describe('Istio string matching, per pattern kind', () => {
  test.each([
    // exact
    ['GET', 'GET', true], ['GET', 'GETX', false], ['/v1/items', '/v1/items', true], ['/v1/items', '/v1/items/', false],
    // prefix
    ['/v1/*', '/v1/', true], ['/v1/*', '/v1/items/7', true], ['/v1/*', '/v1', false], ['/v1/*', '/v2/x', false],
    // suffix
    ['*.json', '/a/b.json', true], ['*.json', '/a/b.jsonx', false],
    // presence
    ['*', 'anything', true], ['*', '', false],
  ])('%j against %j: %s', (pattern, value, expected) => {
    expect(istioStringMatch(pattern, value)).toBe(expected);
  });

  test.each([
    ['api.shop.svc', 'API.Shop.svc', true], ['*.shop.svc', 'Web.SHOP.svc', true], ['API.*', 'api.x', true], ['api', 'api:80', false],
  ])('host %j against %j: %s (case-insensitive)', (pattern, host, expected) => {
    expect(hostMatch(pattern, host)).toBe(expected);
  });
});

describe('path normalization (BASE)', () => {
  test.each([
    ['/v1/items', '/v1/items'],
    ['/v1/items?id=1#top', '/v1/items'],
    ['/v1/./items', '/v1/items'],
    ['/v1/admin/../items', '/v1/items'],
    ['/../../etc', '/etc'],
    ['/v1/items/..', '/v1/'],
    ['/v1/%69tems', '/v1/items'],
    ['/v1/%2e%2e/admin', '/admin'],
    ['/v1\\admin', '/v1/admin'],
    ['/v1/a%2fb', '/v1/a%2fb'],
    ['/v1//items', '/v1//items'],
  ])('%j is matched as %j', (raw, normalized) => {
    expect(normalizePath(raw)).toBe(normalized);
  });

  test('an encoded NUL is rejected', () => {
    expect(normalizePath('/v1/%00')).toBeUndefined();
  });
});

describe('witnesses', () => {
  test('they cover each exact value, each prefix and suffix combination, and values matching none', () => {
    expect(witnesses(['/v1/items', '/v1/*', '*.json'], 'zt', '/')).toEqual(['/v1/items', '/zt', '/zt.json', '/v1/zt', '/v1/zt.json']);
  });

  test('the marker avoids every pattern', () => {
    expect(witnesses(['/zt/*'], 'zt', '/')).toEqual(['/zt0', '/zt/zt0']);
  });

  /** Every region of a pattern set: each value's vector of matches must be met by some witness. */
  test('for random values, some witness matches exactly the same patterns', () => {
    const patterns = ['/a/*', '/a/b/*', '*/x', '*.json', '/a/b/x', '*'];
    const ws = witnesses(patterns, 'zt', '/');
    const vector = (v: string) => patterns.map(p => istioStringMatch(p, v)).join();
    for (const value of ['/a/b/x', '/a/b/y.json', '/a/x', '/q', '/a/b/c/x', '/x.json', '/a/', '/a/b/']) {
      expect(ws.map(vector)).toContain(vector(value));
    }
  });
});

describe('witnesses, as a property', () => {
  const segment = fc.constantFrom('a', 'b', 'ab', 'x.json', '');
  const value = fc.array(segment, { minLength: 1, maxLength: 4 }).map(parts => `/${parts.join('/')}`);
  const pattern = fc.oneof(value, value.map(v => `${v}*`), value.map(v => `*${v}`), fc.constant('*'));

  test('for any patterns and any path, some witness matches exactly the patterns the path matches', () => {
    fc.assert(fc.property(fc.array(pattern, { maxLength: 6 }), value, (patterns, path) => {
      const vector = (v: string) => patterns.map(p => istioStringMatch(p, v)).join();
      return witnesses(patterns, 'zt', '/').map(vector).includes(vector(path));
    }), { numRuns: 500 });
  });
});
