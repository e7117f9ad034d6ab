import { addToList } from '../../src/util/_collections';

describe('addToList', () => {
  test('creates the list on first use, then appends in order', () => {
    const map = new Map<string, number[]>();
    addToList(map, 'a', 1);
    addToList(map, 'b', 2);
    addToList(map, 'a', 3);
    expect([...map]).toEqual([['a', [1, 3]], ['b', [2]]]);
  });
});
