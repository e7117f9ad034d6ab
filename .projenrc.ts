import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-zero-trust',
  description: 'Zero-trust Kubernetes from typed code: deny-by-default NetworkPolicies, workload identity and Istio mTLS and authorization for cdk8s.',
  author: 'cdk8s-zero-trust maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk8s-zero-trust/cdk8s-zero-trust.git',
  keywords: ['cdk8s', 'kubernetes', 'zero-trust', 'istio', 'networkpolicy', 'mtls', 'spiffe'],
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  github: false,
  jsiiVersion: '~5.9.0',
  // ts-jest 29 supports TypeScript 5 only, and jsii 5.9 compiles with 5.9.
  typescriptVersion: '~5.9.0',
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // The command line reads YAML manifests; jsii libraries must bundle their runtime dependencies.
  bundledDeps: ['yaml@^2.8.0'],
  devDeps: [
    // Property tests: random topologies must obey "allowed iff declared".
    'fast-check@^4',
    // Kubernetes object schemas (4.x is CommonJS and runs on Node 20).
    'kubernetes-models@^4',
    // JSON-schema validation of Istio objects against the CRD bundle's OpenAPI schemas.
    'ajv@^8',
    // Evaluates the CRD bundle's CEL rules (x-kubernetes-validations).
    '@marcbachmann/cel-js@^8',
    '@types/node@^20',
    // Enforces the layering of src/ and forbids import circles, type-only imports included (.dependency-cruiser.js).
    // 17.x: 18.x needs Node.js 22.
    'dependency-cruiser@^17',
  ],
  bin: { 'cdk8s-zero-trust': 'bin/cdk8s-zero-trust' },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['examples/**/*.ts', 'bench/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'],
  },
  jestOptions: {
    // Snapshots must be able to fail: never rewrite them during a test run.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  },
  // Without the slash it also matches a symlinked node_modules, as helper worktrees have.
  gitignore: ['/bench/results/', '/.scratch/', '/node_modules'],
});

// projen's lock file names optional unrs-resolver bindings that this registry lacks.
project.package.addPackageResolutions('unrs-resolver@1.12.2');

// Lint every TypeScript file against the dev tsconfig, which covers src, test, examples and bench.
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
eslintrc.addDeletionOverride('parserOptions.projectService');
eslintrc.addOverride('parserOptions.project', ['./tsconfig.dev.json', './projenrc/tsconfig.json']);
eslintrc.addOverride('settings.import/resolver.typescript.project', './tsconfig.dev.json');

const tsNode = 'ts-node --transpile-only --project tsconfig.dev.json';
project.addTask('examples', {
  description: 'Synthesize the example clusters into dist/ and print what each allows',
  exec: `${tsNode} examples/main.ts`,
});
project.addTask('bench', {
  description: 'Benchmark synth against the floor and cdk8s-plus-27 at three cluster sizes',
  exec: 'node --max-old-space-size=4096 -r ts-node/register/transpile-only bench/run.ts',
  receiveArgs: true,
});

// The layering of src/ (util <- model <- analyzer | rules <- guard <- constructs; cli -> analyzer) and no circles,
// checked before the tests so that a wrong-way import or a new circle fails the build.
const layers = project.addTask('layers', {
  description: 'Check the import direction between the folders of src/ and that there is no import circle',
  exec: 'depcruise --config .dependency-cruiser.js src',
});
project.testTask.prependSpawn(layers);

project.addPackageIgnore('/.dependency-cruiser.js');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');

project.synth();
