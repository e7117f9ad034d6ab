import { istioStringMatch } from '../../src/analyzer/_http-match';
import { parseSniConditions, sniConditionsHold } from '../../src/analyzer/_sni-condition';

describe('connection.sni conditions', () => {
  const conditions = parseSniConditions([{ key: 'connection.sni', values: ['api.stripe.com', '*.example.com'] }, { key: 'connection.sni', notValues: ['bad.example.com'] }], 'w')!;

  test.each([
    ['api.stripe.com', true],
    ['x.example.com', true],
    ['bad.example.com', false],
    ['api.paypal.com', false],
  ])('server name %p holds: %p', (sni, holds) => {
    expect(sniConditionsHold(conditions, 'ALLOW', sni, istioStringMatch)).toBe(holds);
  });

  test('without a server name, a condition may hold in an ALLOW rule and fails in a DENY rule', () => {
    expect(sniConditionsHold(conditions, 'ALLOW', undefined, istioStringMatch)).toBe(true);
    expect(sniConditionsHold(conditions, 'DENY', undefined, istioStringMatch)).toBe(false);
    expect(sniConditionsHold(undefined, 'DENY', undefined, istioStringMatch)).toBe(true);
  });

  test.each([
    [[{ key: 'source.ip', values: ['10.0.0.1'] }], 'w[0].key: the analyzer models only the condition connection.sni, not "source.ip"'],
    [[{ key: 'connection.sni' }], 'w[0]: needs values or notValues (Istio rejects it)'],
    [[{ key: 'connection.sni', values: 'a' }], 'w[0].values: expected a list of strings'],
    [[{ key: 'connection.sni', values: ['a'], extra: 1 }], 'w[0].extra: field not supported by the analyzer'],
    ['x', 'w: expected a list of objects'],
    [['x'], 'w[0]: expected an object'],
  ])('refuses %j', (when, message) => {
    expect(() => parseSniConditions(when, 'w')).toThrow(message);
  });
});
