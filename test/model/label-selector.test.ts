import { checkKeys, compileSelector } from '../../src/model/_label-selector';

describe('compileSelector', () => {
  const labels = { app: 'web', tier: 'front' };

  test('the empty selector matches everything', () => {
    expect(compileSelector({}, 's')({})).toBe(true);
    expect(compileSelector({ matchLabels: {}, matchExpressions: [] }, 's')(labels)).toBe(true);
  });

  test('matchLabels needs every pair', () => {
    expect(compileSelector({ matchLabels: { app: 'web' } }, 's')(labels)).toBe(true);
    expect(compileSelector({ matchLabels: { app: 'web', tier: 'back' } }, 's')(labels)).toBe(false);
  });

  test.each([
    ['In', ['web', 'api'], true, false],
    ['NotIn', ['api'], true, true],
    ['NotIn', ['web'], false, true],
    ['Exists', undefined, true, false],
    ['DoesNotExist', undefined, false, true],
  ])('%s %j: on labels %s, without the key %s', (operator, values, withKey, withoutKey) => {
    const match = compileSelector({ matchExpressions: [{ key: 'app', operator, ...(values ? { values } : {}) }] }, 's');
    expect(match(labels)).toBe(withKey);
    expect(match({ other: 'x' })).toBe(withoutKey);
  });

  test('matchLabels and matchExpressions are ANDed', () => {
    const match = compileSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, 's');
    expect(match(labels)).toBe(false);
    expect(match({ app: 'web', tier: 'back' })).toBe(true);
  });

  test('inherited object properties are not labels', () => {
    expect(compileSelector({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, 's')({})).toBe(false);
  });

  test.each([
    [{ matchLabel: {} }, 'P: spec.podSelector.matchLabel: field not supported by the analyzer'],
    [{ matchLabels: { a: 1 } }, 'P: spec.podSelector.matchLabels.a: expected a string'],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, 'P: spec.podSelector.matchExpressions[0].values: must be non-empty for In'],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'P: spec.podSelector.matchExpressions[0].values: must be empty for Exists'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'P: spec.podSelector.matchExpressions[0].operator: unknown operator "Gt"'],
    [{ matchExpressions: [{ operator: 'Exists' }] }, 'P: spec.podSelector.matchExpressions[0].key: required'],
    ['app=web', 'P: spec.podSelector: expected a label selector object'],
  ])('rejects %j', (selector, message) => {
    expect(() => compileSelector(selector, 'P: spec.podSelector')).toThrow(message);
  });

  test('matchLabelsOnly rejects matchExpressions (Istio workload selectors)', () => {
    expect(() => compileSelector({ matchExpressions: [] }, 'S', true)).toThrow('S.matchExpressions: field not supported by the analyzer');
  });
});

describe('checkKeys', () => {
  test('names the first unknown field', () => {
    expect(() => checkKeys({ a: 1, z: 2, b: 3 }, ['a'], 'obj')).toThrow('obj.b: field not supported by the analyzer');
    expect(() => checkKeys({ a: 1 }, ['a'], 'obj')).not.toThrow();
  });
});
