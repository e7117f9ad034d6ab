/**
 * `cdk8s-zero-trust check <file.yaml...> --from <ns/pod|ip> --to <ns/pod|ip> --port <n> [request attributes]`: whether
 * a connection, or a request over it, is allowed, and each layer's verdict and reasons, as `Reachability.explain` gives.
 */
import { CliOutput } from './_cli-output';
import { analyzeFiles } from './_manifest-files';
import { FlowExplanation, FlowQuery, LayerVerdict } from '../analyzer/flow-query';
import { Reachability } from '../analyzer/reachability';
import { isPortNumber } from '../model/_ports';
import { parseIp } from '../util/_cidr';

/** The options, each named after its FlowQuery field: what its value looks like, and what it is. */
const OPTIONS: { readonly [flag: string]: { readonly value: string; readonly what: string } } = {
  '--from': { value: 'ns/pod|ip', what: 'a pod (namespace/pod) or an IP address' },
  '--to': { value: 'ns/pod|ip', what: 'a pod (namespace/pod) or an IP address' },
  '--port': { value: 'n', what: 'a port number' },
  '--protocol': { value: 'TCP|UDP|SCTP', what: 'a protocol: TCP, UDP or SCTP' },
  '--method': { value: 'method', what: 'an HTTP method such as GET' },
  '--path': { value: 'path', what: 'a request path such as /x' },
  '--host': { value: 'host', what: 'a host name' },
  '--request-principal': { value: 'issuer/subject', what: 'a request principal, <issuer>/<subject>, or \'\' for a request without a token' },
  '--namespace': { value: 'name', what: 'a namespace name' },
};
const REQUIRED = ['--from', '--to', '--port'];

const synopsis = (flag: string) => `${flag} <${OPTIONS[flag].value}>`;
const OPTIONAL = Object.keys(OPTIONS).filter(flag => !REQUIRED.includes(flag)).map(flag => `[${synopsis(flag)}]`);

/** The check command's synopsis, for the command line's usage. */
export const CHECK_SYNOPSIS = `cdk8s-zero-trust check <file.yaml...> ${REQUIRED.map(synopsis).join(' ')}\n`
  + `         ${OPTIONAL.slice(0, 4).join(' ')}\n         ${OPTIONAL.slice(4).join(' ')}\n`;

/** What the check command does and what its options mean, for the command line's usage. */
export const CHECK_HELP = '  check    is the connection, or a request over it, allowed? prints each layer\'s verdict and why;\n'
  + '           exit 0 allowed, 1 denied\n'
  + '  --from, --to  a pod (namespace/pod, as the matrix names it) or an IP address outside the cluster\n'
  + '  --method, --path, --host, --request-principal  ask about the requests with these attributes (any value when\n'
  + '           left out); --request-principal \'\' is a request without a token\n';

const USAGE = `usage: ${CHECK_SYNOPSIS}${CHECK_HELP}`;

/** Runs `check` on the arguments after the command; returns the exit code: 0 allowed, 1 denied. Throws for bad input. */
export function check(argv: string[], io: CliOutput): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const { files, options } = parseArgs(argv);
  const port = portNumber(options['--port']);
  const { reachability, ignored } = analyzeFiles(files, options['--namespace']);
  const query: FlowQuery = {
    from: end('--from', options['--from'], reachability),
    to: end('--to', options['--to'], reachability),
    port,
    protocol: options['--protocol'],
    method: options['--method'],
    path: options['--path'],
    host: options['--host'],
    requestPrincipal: options['--request-principal'],
  };
  const explanation = reachability.explain(query);
  // Said once the question is answered, as analyze does: with an error, it would only hide the message.
  if (ignored) io.err(`cdk8s-zero-trust: ${ignored}\n`);
  io.out(explanationText(query, explanation));
  return explanation.allowed ? 0 : 1;
}

function parseArgs(argv: string[]): { files: string[]; options: { [flag: string]: string } } {
  const files: string[] = [];
  const options: { [flag: string]: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // Every flag starts with --, which no key of Object.prototype does.
    const option = arg.startsWith('--') ? OPTIONS[arg] : undefined;
    if (option) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value: ${option.what}`);
      if (options[arg] !== undefined) throw new Error(`${arg} is given twice: check asks about one connection or request`);
      options[arg] = value;
      i++;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw new Error(`no manifest file given\n${USAGE}`);
  const missing = REQUIRED.filter(flag => options[flag] === undefined);
  if (missing.length > 0) throw new Error(`check requires ${missing.map(synopsis).join(', ')}\n${USAGE}`);
  return { files, options };
}

/** A side of the connection: a pod the manifests describe, or an IP address; else a message naming the pods there are. */
function end(flag: string, text: string, reachability: Reachability): string {
  const pods = reachability.pods;
  const slash = text.indexOf('/');
  if (pods.includes(text) || (slash < 0 && parseIp(text))) return text;
  // The pods are sorted by namespace, so the namespaces come out sorted too.
  const namespaces = pods.length === 0 ? 'the manifests describe no pod'
    : `the namespaces with pods are ${[...new Set(pods.map(p => p.slice(0, p.indexOf('/'))))].join(', ')}`;
  if (slash < 0) return fail(`${flag}: ${JSON.stringify(text)} is neither a pod (namespace/pod) nor an IP address; ${namespaces}`);
  const namespace = text.slice(0, slash);
  const neighbours = pods.filter(p => p.startsWith(`${namespace}/`));
  return fail(`${flag}: unknown pod ${text}; ${neighbours.length > 0 ? `the pods in namespace ${namespace} are ${neighbours.join(', ')}` : namespaces}`);
}

function portNumber(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  return isPortNumber(value) ? value : fail(`--port: expected a port number from 1 to 65535, got ${JSON.stringify(text)}`);
}

function fail(message: string): never {
  throw new Error(message);
}

/** The verdict, then each layer's verdict and reasons, one per line. */
function explanationText(query: FlowQuery, e: FlowExplanation): string {
  const layers: Array<[string, LayerVerdict]> = [
    ['egress NetworkPolicy', e.egress], ['ingress NetworkPolicy', e.ingress], ['authorization', e.authorization],
  ];
  const denied = layers.filter(([, v]) => !v.allowed).map(([name]) => name);
  const verdict = e.allowed ? 'allowed' : `denied by ${denied.join(', ')}`;
  return `${e.from} -> ${e.to} ${e.port}/${e.protocol}${requestText(query)}: ${verdict}\n`
    + layers.map(([name, v]) => `  ${name}: ${v.allowed ? 'allowed' : 'denied'}\n${v.reasons.map(r => `    - ${r}\n`).join('')}`).join('');
}

/** The request attributes asked about, or nothing for a question about the connection. */
function requestText(q: FlowQuery): string {
  const parts = [
    q.method === undefined ? undefined : `method ${q.method}`,
    q.path === undefined ? undefined : `path ${q.path}`,
    q.host === undefined ? undefined : `host ${q.host}`,
    q.requestPrincipal === undefined ? undefined : q.requestPrincipal === '' ? 'no token' : `request principal ${q.requestPrincipal}`,
  ].filter(p => p !== undefined);
  return parts.map(p => `, ${p}`).join('');
}
