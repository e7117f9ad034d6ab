/**
 * `cdk8s-zero-trust analyze|verify <file.yaml...> [--expect <flows.txt>] [--mermaid <out.mmd>] [--namespace <name>]`:
 * reads manifests, prints the allowed-flow matrix, writes a Mermaid diagram, and checks the flows against a list;
 * `cdk8s-zero-trust check` asks about one connection or request (_check-command.ts).
 */
import * as fs from 'fs';
import { CHECK_HELP, CHECK_SYNOPSIS, check } from './_check-command';
import { CliOutput } from './_cli-output';
import { analyzeFiles, readText } from './_manifest-files';
import { AllowedFlow } from '../analyzer/flow-query';
import { Reachability } from '../analyzer/reachability';

const USAGE = 'usage: cdk8s-zero-trust analyze|verify <file.yaml...> [--expect <flows.txt>] [--mermaid <out.mmd>] [--namespace <name>]\n'
  + `       ${CHECK_SYNOPSIS}`
  + '  analyze  print the allowed-flow matrix (and check it with --expect)\n'
  + '  verify   like analyze, --expect required\n'
  + CHECK_HELP
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
    if (argv[0] === 'check') return check(argv.slice(1), io);
    const args = parseArgs(argv);
    const { reachability, ignored } = analyzeFiles(args.files, args.namespace);
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
  return { files, expect: options['--expect'], mermaid: options['--mermaid'], namespace: options['--namespace'] };
}

function writeFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new Error(`${file}: cannot write: ${(e as Error).message}`);
  }
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
