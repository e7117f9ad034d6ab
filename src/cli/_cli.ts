/**
 * `cdk8s-zero-trust analyze|verify <file.yaml...> [--expect <flows.txt>] [--mermaid <out.mmd>] [--namespace <name>]`:
 * reads manifests, prints the allowed-flow matrix, writes a Mermaid diagram, and checks the flows against a list.
 */
import * as fs from 'fs';
import { manifestsOfYaml } from '../analyzer/_manifest-documents';
import { isReadKind, readObjects } from '../analyzer/_manifest-kinds';
import { namespacesFromManifests, objectName, podsFromManifests } from '../analyzer/_manifest-pods';
import { withServicePorts } from '../analyzer/_manifest-services';
import { AllowedFlow } from '../analyzer/flow-query';
import { Reachability } from '../analyzer/reachability';
import { dns1123LabelProblem } from '../util/_names';

/** Where the command line writes. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = 'usage: cdk8s-zero-trust analyze|verify <file.yaml...> [--expect <flows.txt>] [--mermaid <out.mmd>] [--namespace <name>]\n'
  + '  analyze  print the allowed-flow matrix (and check it with --expect)\n'
  + '  verify   like analyze, --expect required\n'
  + '  --namespace  the namespace of objects that name none (default: default), as kubectl apply -n\n'
  + 'Expected flows: one per line, `ns/pod -> ns/pod 80/TCP`; `#` starts a comment.\n';

interface Args {
  readonly files: string[];
  readonly expect?: string;
  readonly mermaid?: string;
  readonly namespace?: string;
}

/** Runs the command line; returns the exit code: 0 ok, 1 flows differ from the expectation, 2 bad input. */
export function main(argv: string[], io: CliOutput = {
  out: text => process.stdout.write(text),
  err: text => process.stderr.write(text),
}): number {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    (argv.length === 0 ? io.err : io.out)(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const args = parseArgs(argv);
    const { reachability, ignored } = analyze(args.files.flatMap(f => readManifests(f, args.namespace)));
    if (ignored) io.err(`cdk8s-zero-trust: ${ignored}\n`);
    io.out(reachability.toMatrix());
    const hosts = reachability.hostFlows();
    if (hosts.length > 0) io.out(`\nexternal hosts, through egress gateways:\n${hosts.map(h => `  ${h.from} -> ${h.host} ${h.port}/TCP via ${h.via}\n`).join('')}`);
    if (args.mermaid) {
      writeFile(args.mermaid, reachability.toMermaid());
      io.out(`Mermaid diagram written to ${args.mermaid}\n`);
    }
    return args.expect ? compare(reachability, readExpected(args.expect, reachability), io) : 0;
  } catch (e) {
    // Every failure here is about the input: a message, never a stack trace.
    io.err(`cdk8s-zero-trust: ${(e as Error).message}\n`);
    return 2;
  }
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'analyze' && command !== 'verify') throw new Error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  const files: string[] = [];
  const options: { [flag: string]: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--expect' || arg === '--mermaid' || arg === '--namespace') {
      if (rest[i + 1] === undefined) throw new Error(`${arg} needs a ${arg === '--namespace' ? 'namespace' : 'file'} name`);
      options[arg] = rest[++i];
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw new Error(`no manifest file given\n${USAGE}`);
  if (command === 'verify' && !options['--expect']) throw new Error('verify requires --expect <flows.txt>');
  const problem = options['--namespace'] === undefined ? undefined : dns1123LabelProblem(options['--namespace']);
  if (problem) throw new Error(`--namespace: ${problem}`);
  return { files, expect: options['--expect'], mermaid: options['--mermaid'], namespace: options['--namespace'] };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read: ${(e as Error).message}`);
  }
}

function writeFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new Error(`${file}: cannot write: ${(e as Error).message}`);
  }
}

/**
 * The objects of a YAML file, those without a namespace put in `namespace` if given, checked on their own so that a
 * bad one is reported against its file.
 */
function readManifests(file: string, namespace?: string): any[] {
  let manifests = manifestsOfYaml(readText(file), file);
  try {
    if (namespace !== undefined) manifests = inNamespace(manifests, namespace);
    analyze(manifests);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return manifests;
}

/**
 * The objects, those the analysis reads in a namespace put in `namespace` when they name none, as `kubectl apply -n`
 * does; throws for one that names another namespace, which kubectl refuses too.
 */
function inNamespace(manifests: any[], namespace: string): any[] {
  return manifests.map(m => {
    if (m.kind === 'Namespace' || !isReadKind(m)) return m;
    const own = m.metadata?.namespace;
    if (own === undefined) return { ...m, metadata: { ...m.metadata, namespace } };
    if (own !== namespace) throw new Error(`${objectName(m)}: its namespace is not --namespace ${namespace}, which kubectl apply -n refuses too`);
    return m;
  });
}

/** The analysis of the objects, and the line that says which ones it ignored. */
function analyze(manifests: any[]): { reachability: Reachability; ignored?: string } {
  const { read, ignored } = readObjects(manifests);
  const described = podsFromManifests(read);
  const pods = withServicePorts(read, described);
  return { reachability: Reachability.analyze({ pods, manifests: read, namespaces: namespacesFromManifests(read, pods) }), ignored };
}

function flowText(f: AllowedFlow): string {
  return `${f.from} -> ${f.to} ${f.port}/${f.protocol}`;
}

function readExpected(file: string, reachability: Reachability): Set<string> {
  const expected = new Set<string>();
  const known = new Set(reachability.pods);
  readText(file).split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const m = /^(\S+\/\S+)\s*->\s*(\S+\/\S+)\s+(\d+)(?:\/(TCP|UDP|SCTP))?$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected \`ns/pod -> ns/pod 80/TCP\`, got ${JSON.stringify(raw.trim())}`);
    for (const pod of [m[1], m[2]]) {
      if (!known.has(pod)) throw new Error(`${file}:${i + 1}: unknown pod ${pod}`);
    }
    expected.add(flowText({ from: m[1], to: m[2], port: Number(m[3]), protocol: m[4] ?? 'TCP' }));
  });
  return expected;
}

function compare(reachability: Reachability, expected: Set<string>, io: CliOutput): number {
  const actual = new Set(reachability.allowedFlows().map(flowText));
  const unexpected = [...actual].filter(f => !expected.has(f));
  const refused = [...expected].filter(f => !actual.has(f)).sort();
  if (unexpected.length === 0 && refused.length === 0) {
    io.out(`OK: the ${actual.size} allowed flows are exactly the expected ones\n`);
    return 0;
  }
  const section = (title: string, flows: string[], mark: string) =>
    flows.length === 0 ? '' : `${title} (${flows.length}):\n${flows.map(f => `  ${mark} ${f}\n`).join('')}`;
  io.out(`MISMATCH: the allowed flows differ from the expected ones\n${section('allowed but not expected', unexpected, '+')}`
    + section('expected but refused', refused, '-'));
  return 1;
}
