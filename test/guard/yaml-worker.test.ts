// The worker thread that writes the first charts' YAML of a large linear synth: the same bytes as cdk8s's own
// synth whatever the manifests hold, nothing written when a check fails, and no worker left running.
import { once } from 'events';
import * as os from 'os';
import { Worker } from 'worker_threads';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { ZeroTrustApp } from '../../src';
import { registerRenderedCheck } from '../../src/guard/_rendered-checks';
import { PARALLEL_YAML_MIN_OBJECTS } from '../../src/guard/_yaml-worker';
import { cdk8sSynth, readTree, tempDir } from '../_util';

// The cores' idle time (or, over too short a window, the load average) decides whether the worker starts: the tests
// set them, whatever the test run puts on the cores of whatever machine.
jest.mock('os', () => ({ ...jest.requireActual('os'), loadavg: jest.fn(() => [0, 0, 0]), availableParallelism: jest.fn(() => 2), cpus: jest.fn(() => []) }));
const loadavg = os.loadavg as jest.MockedFunction<typeof os.loadavg>;
const cpus = os.cpus as jest.MockedFunction<typeof os.cpus>;
/** Two cores' CPU times, which `spend` moves on. */
const clock = { busy: 0, idle: 0 };
cpus.mockImplementation(() => [0, 1].map(() => ({ model: 'test', speed: 1, times: { user: clock.busy, nice: 0, sys: 0, idle: clock.idle, irq: 0 } })));
/** Each core spends `ms`, `idleShare` of it idle. */
function spend(ms: number, idleShare: number): void {
  clock.idle += ms * idleShare;
  clock.busy += ms * (1 - idleShare);
}

/** Charts a, b and c sharing `objects` ConfigMaps; `odd` adds objects to b that JSON would change. */
function configMaps(app: App, objects: number, odd = false): App {
  const charts = ['a', 'b', 'c'].map(id => new Chart(app, id));
  for (let i = 0; i < objects; i++) {
    new ApiObject(charts[i % 3], `config-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', data: { index: `${i}`, even: i % 2 === 0 } });
  }
  if (odd) {
    // cdk8s renders a null in an array as undefined, which YAML writes and JSON would turn into null.
    new ApiObject(charts[1], 'odd', { apiVersion: 'v1', kind: 'List', items: ['a', null, 'b'], spec: { count: NaN } });
  }
  return app;
}

function synthTree(AppType: new (props: AppProps) => App, props: AppProps, build: (app: App) => void, synth = (app: App) => app.synth()) {
  const outdir = tempDir();
  const app = new AppType({ ...props, outdir });
  build(app);
  synth(app);
  return readTree(outdir);
}

/** Records what it is given, and reports `errors`. */
class RenderedCheck extends Construct {
  constructor(scope: Construct, id: string, private readonly errors: string[]) {
    super(scope, id);
    registerRenderedCheck(this);
  }
  public _validateRendered(): string[] {
    return this.errors;
  }
}

describe('ChartYaml', () => {
  let post: jest.SpiedFunction<Worker['postMessage']>;
  beforeEach(() => {
    post = jest.spyOn(Worker.prototype, 'postMessage');
    // The mocked cores spend no time unless a test says so: the window is too short and an idle load average decides.
    loadavg.mockReturnValue([0, 0, 0]);
  });
  afterEach(() => jest.restoreAllMocks());

  const large = PARALLEL_YAML_MIN_OBJECTS + 100;

  test.each([
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
  ])('above the threshold, %s is written partly by the worker, byte for byte as cdk8s writes it', (_, yamlOutputType) => {
    const ours = synthTree(ZeroTrustApp, { yamlOutputType }, app => configMaps(app, large, true));
    expect(post).toHaveBeenCalled();
    const theirs = synthTree(App, { yamlOutputType }, app => configMaps(app, large, true), cdk8sSynth);
    expect(Object.keys(ours).length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
    // The odd values kept what JSON would have changed.
    const text = Object.values(ours).join('');
    expect(text).toContain('items:\n  - a\n  - null\n  - b\n');
    expect(text).toContain('count: .nan\n');
  });

  test('below the threshold, no worker starts', () => {
    synthTree(ZeroTrustApp, {}, app => configMaps(app, PARALLEL_YAML_MIN_OBJECTS - 1));
    expect(post).not.toHaveBeenCalled();
  });

  test('without a sixth of a core left idle while the app was built, no worker starts', () => {
    spend(1000, 0.05);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).not.toHaveBeenCalled();
  });

  test('the window starts again at each large synth: a busy spell before the last one does not count', () => {
    spend(1000, 0.05);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).not.toHaveBeenCalled();
    spend(1000, 0.1);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).toHaveBeenCalled();
  });

  test('over a window too short to tell, the one-minute load average decides', () => {
    spend(10, 0);
    loadavg.mockReturnValue([2, 0, 0]);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).not.toHaveBeenCalled();
    spend(10, 0);
    loadavg.mockReturnValue([1, 0, 0]);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).toHaveBeenCalled();
  });

  test('on one core, no worker starts', () => {
    (os.availableParallelism as jest.MockedFunction<typeof os.availableParallelism>).mockReturnValueOnce(1);
    synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).not.toHaveBeenCalled();
  });

  test('a failed check writes no file and leaves no worker running', async () => {
    const outdir = tempDir();
    const app = configMaps(new ZeroTrustApp({ outdir }), large);
    new RenderedCheck(app, 'check', ['refused']);
    expect(() => app.synth()).toThrow('Validation failed with the following errors:\n  [check] refused');
    expect(readTree(outdir)).toEqual({});
    expect(post).toHaveBeenCalled();
    const worker = post.mock.contexts[0] as Worker;
    // A worker still running would never exit, and this test would time out.
    await once(worker, 'exit');
  });

  test('a chart changed by a later render is written as the checks read it', () => {
    /** An object that renders the same manifest object every time, and one that changes it when rendered. */
    let kept: any;
    class Kept extends ApiObject {
      public toJson(): any {
        kept ??= super.toJson();
        return kept;
      }
    }
    class Changer extends ApiObject {
      public toJson(): any {
        kept.data.value = 'changed';
        return super.toJson();
      }
    }
    const files = synthTree(ZeroTrustApp, {}, app => {
      configMaps(app, large);
      new Kept(app.node.findChild('a') as Chart, 'kept', { apiVersion: 'v1', kind: 'ConfigMap', data: { value: 'rendered' } });
      new Changer(app.node.findChild('c') as Chart, 'changer', { apiVersion: 'v1', kind: 'ConfigMap' });
    });
    expect(post).toHaveBeenCalled();
    expect(files['a.k8s.yaml']).toContain('value: changed\n');
    expect(files['a.k8s.yaml']).not.toContain('value: rendered\n');
  });

  test('synthYaml above the threshold returns the string of cdk8s\'s synthYaml', () => {
    const ours = configMaps(new ZeroTrustApp({ outdir: tempDir() }), large, true).synthYaml();
    expect(post).toHaveBeenCalled();
    expect(ours).toEqual(App.prototype.synthYaml.call(configMaps(new App({ outdir: tempDir() }), large, true)));
  });

  test('the charts the worker has not started are written by the main thread', () => {
    post.mockImplementation(() => undefined);
    const ours = synthTree(ZeroTrustApp, {}, app => configMaps(app, large));
    expect(post).toHaveBeenCalled();
    expect(ours).toEqual(synthTree(App, {}, app => configMaps(app, large), cdk8sSynth));
  });
});
