import { PortRequests, mergeRequests, operationsOf } from '../../src/model/_request-rules';

const get = { methods: ['GET'] };
const post = { methods: ['POST'], paths: ['/v1/*'] };

describe('merging two declarations of a flow', () => {
  test.each<[string, number[], PortRequests | undefined, number[], PortRequests | undefined, PortRequests | undefined]>([
    ['plain and plain', [80], undefined, [80], undefined, undefined],
    ['http rules on one port are united, sorted and distinct', [80], new Map([[80, [post]]]), [80], new Map([[80, [get, post]]]), new Map([[80, [get, post]]])],
    ['a port declared plain once stays whole', [80], new Map([[80, [get]]]), [80], undefined, undefined],
    ['a port declared by one side only keeps its rules', [80], new Map([[80, [get]]]), [81], undefined, new Map([[80, [get]]])],
    ['ports apart', [80], new Map([[80, [get]]]), [81], new Map([[81, [post]]]), new Map([[80, [get]], [81, [post]]])],
  ])('%s', (_, aPorts, a, bPorts, b, expected) => {
    expect(mergeRequests(aPorts, a, bPorts, b)).toEqual(expected);
  });
});

describe('the operations of a flow', () => {
  test('whole ports in one rule, narrowed ports grouped by their rules in another', () => {
    expect(operationsOf([80, 81, 82, 90], new Map([[80, [get, post]], [81, [get, post]], [82, [get]]]))).toEqual([
      { key: '90', operations: [{ ports: ['90'] }] },
      {
        key: expect.stringMatching(/^80,81,82 /),
        operations: [{ ports: ['82'], methods: ['GET'] }, { ports: ['80', '81'], methods: ['GET'] }, { ports: ['80', '81'], methods: ['POST'], paths: ['/v1/*'] }],
      },
    ]);
  });

  test('a plain flow has the one operation of its ports, keyed by them', () => {
    expect(operationsOf([80, 81], undefined)).toEqual([{ key: '80,81', operations: [{ ports: ['80', '81'] }] }]);
  });
});
