// The layering of src/ (see docs/layout.md): each folder may import only the folders to its left.
//   util <- model <- (analyzer | rules) <- guard <- constructs;  cli -> analyzer;  index.ts re-exports.
// Type-only imports count (tsPreCompilationDeps), so an `import type` cannot hide a circle or a wrong-way edge.
/** Folders each folder may import, besides itself. */
const allowed = {
  util: [],
  model: ['util'],
  analyzer: ['util', 'model'],
  rules: ['util', 'model'],
  guard: ['util', 'model', 'analyzer', 'rules'],
  constructs: ['util', 'model', 'analyzer', 'rules', 'guard'],
  cli: ['util', 'model', 'analyzer'],
};
const layers = Object.keys(allowed);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle, counting type-only imports.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layers.map(layer => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `src/${layer}/ may import only ${allowed[layer].length ? allowed[layer].map(l => `src/${l}/`).join(', ') : 'nothing else in src/'}.`,
      from: { path: `^src/${layer}/` },
      to: { path: '^src/', pathNot: [`^src/${layer}/`, ...allowed[layer].map(l => `^src/${l}/`)] },
    })),
    {
      name: 'no-index-import',
      severity: 'error',
      comment: 'src/index.ts only re-exports; nothing in src/ imports it.',
      from: { path: '^src/.+/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'no-loose-files',
      severity: 'error',
      comment: `Every source file lives in one of the folders: ${layers.join(', ')}.`,
      from: { path: '^src/[^/]+\\.ts$', pathNot: '^src/index\\.ts$' },
      to: {},
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A source file that nothing imports and that imports nothing is dead code.',
      from: { orphan: true, path: '^src/' },
      to: {},
    },
    {
      name: 'no-loose-imports',
      severity: 'error',
      comment: `Every source file lives in one of the folders: ${layers.join(', ')}.`,
      from: {},
      to: { path: '^src/[^/]+\\.ts$', pathNot: '^src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.dev.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
