// The app-level zero-trust check: one construct per app whose validation inspects every synthesized object
// and proves, with the reachability analyzer, that the policies allow exactly the declared flows.
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { inLinearSynth, linearizeApp } from './_linear-synth';
import { registerRenderedCheck } from './_rendered-checks';
import { VerifiedEnd, VerifiedNamespace, verifyDeclaredFlows } from './_verify';
import { isHostGateway, serverNamePatterns, verifyGatewayHosts } from './_verify-egress';
import { namespacesFromManifests, podsFromManifests } from '../analyzer/_manifest-pods';
import { Reachability, checkReadable } from '../analyzer/reachability';
import { PodInput } from '../analyzer/reachability-input';
import { FlowGraph, endKey } from '../model/_flow-graph';
import { ruleMessage } from '../rules/_catalog';
import { DeclaredAddresses, Finding, ManagedNamespace, ManifestObject, applySuppressions, runManifestRules } from '../rules/_manifest-rules';
import { ZeroTrustRules } from '../rules/zero-trust-rules';
import { addToList } from '../util/_collections';

const GUARD_ID = 'zero-trust';

/** What the guard needs of a ZeroTrustNamespace (interfaces keep the import graph acyclic). */
export interface GuardedNamespace extends IConstruct {
  readonly name: string;
  readonly mesh: ManagedNamespace['mesh'];
  readonly allowDns: boolean;
  readonly trustDomain: string;
}

/**
 * A flow end the ZT416 proof checks: a MeshedService, or pods the app does not run but declares flows with, such as a
 * gateway or a platform service. Its pods are the analysed pods of its namespace that carry every label of `selector`;
 * `namespace/name` is its key in the flow graph, unique in the app.
 */
export interface GuardedEnd extends IConstruct {
  readonly name: string;
  readonly namespace: { readonly name: string };
  /** The labels that select its pods. */
  readonly selector: { readonly [key: string]: string };
  /** Its Istio principal, `<trust-domain>/ns/<ns>/sa/<sa>`. */
  readonly principal: string;
  /** The pods it stands for when no manifest describes them. */
  _reachabilityPods(): PodInput[];
}

/** What the guard needs of a MeshedService. */
export interface GuardedService extends GuardedEnd {
  readonly namespace: GuardedNamespace;
}

/** What the guard needs of a construct that declares objects the rules accept exactly (an IngressGateway's or EgressGateway's, a `requireJwt` RequestAuthentication). */
export interface GuardedEntryPoint extends IConstruct {
  _declaredManifests(): any[];
}

/**
 * Runs the ZT4xx and ZT5xx rules over the app's objects at synth, through `node.addValidation`: errors fail the
 * synth, warnings are printed once. It is a child of the app's root, so it sees every chart.
 */
export class ZeroTrustGuard extends Construct {
  /** Adds a namespace to the guard of its app, creating the guard on first use. */
  public static registerNamespace(namespace: GuardedNamespace): void {
    const guard = ZeroTrustGuard.of(namespace);
    const twin = guard.namespaces.find(ns => ns.name === namespace.name);
    if (twin) {
      throw new Error(ruleMessage('ZT208', namespace.node.path, `namespace "${namespace.name}" is already declared by ${twin.node.path}`,
        'Declare each namespace once and pass that ZeroTrustNamespace to every service in it'));
    }
    guard.namespaces.push(namespace);
  }

  /** Adds a service to the guard of its app: a flow end whose namespace is managed and whose name the rules know. */
  public static registerService(service: GuardedService): void {
    ZeroTrustGuard.registerEnd(service);
    ZeroTrustGuard.of(service).services.push(service);
  }

  /** Adds a flow end to the guard of its app, so that the ZT416 proof checks the flows to and from its pods. */
  public static registerEnd(end: GuardedEnd): void {
    const guard = ZeroTrustGuard.of(end);
    const key = endKey(end);
    const twin = guard.ends.get(key);
    if (twin) {
      throw new Error(ruleMessage('ZT204', end.node.path, `"${key}" already names a flow end (${twin.node.path})`,
        'Give each service, gateway and platform peer of a namespace its own name: the name is its identity.'));
    }
    guard.ends.set(key, end);
  }

  /** Whether the app that `scope` belongs to manages the namespace `name`. */
  public static managesNamespace(scope: IConstruct, name: string): boolean {
    return ZeroTrustGuard.of(scope).namespaces.some(ns => ns.name === name);
  }

  /** Declares egress addresses that are not pods, such as the API server's, which ZT418 then accepts in exactly that rule. */
  public static declareAddresses(scope: IConstruct, addresses: DeclaredAddresses): void {
    ZeroTrustGuard.of(scope).addresses.push(addresses);
  }

  /** Adds a construct's declared entry points (Gateway, routes, their policies), which the rules then accept exactly. */
  public static registerEntryPoint(entryPoint: GuardedEntryPoint): void {
    ZeroTrustGuard.of(entryPoint).entryPoints.push(entryPoint);
  }

  /** The declared flows of the app that `scope` belongs to. */
  public static flowGraph(scope: IConstruct): FlowGraph {
    return ZeroTrustGuard.of(scope).flows;
  }

  private static of(scope: IConstruct): ZeroTrustGuard {
    const root = scope.node.root as Construct;
    return (root.node.tryFindChild(GUARD_ID) as ZeroTrustGuard | undefined) ?? new ZeroTrustGuard(root);
  }

  private readonly namespaces: GuardedNamespace[] = [];
  private readonly services: GuardedService[] = [];
  /** Every flow end, services included, by key. */
  private readonly ends = new Map<string, GuardedEnd>();
  private readonly entryPoints: GuardedEntryPoint[] = [];
  private readonly flows = new FlowGraph();
  private readonly addresses: DeclaredAddresses[] = [];
  /** Warnings already printed: cdk8s validates once per chart, and a warning is worth one line. */
  private readonly printed = new Set<string>();

  private constructor(root: Construct) {
    super(root, GUARD_ID);
    registerRenderedCheck(this);
    linearizeApp(root);
    this.node.addValidation({ validate: () => inLinearSynth(root) ? this.annotate() : this.check(render(root)) });
  }

  /**
   * In a linear synth (ZeroTrustApp, or a plain App given it), the checks run on the synth's single render rather
   * than on a render of their own.
   * @internal
   */
  public _validateRendered(objects: ManifestObject[]): string[] {
    return this.check(objects);
  }

  /** Adds the suppression annotations before the linear synth renders the objects. */
  private annotate(): string[] {
    ZeroTrustRules._annotate(this.node.root);
    return [];
  }

  private check(objects: ManifestObject[]): string[] {
    const root = this.node.root;
    const services = new Map<string, string[]>();
    for (const s of this.services) addToList(services, s.namespace.name, s.name);
    const managed = new Map(this.namespaces.map(ns => [ns.name, {
      mesh: ns.mesh, trustDomain: ns.trustDomain, services: services.get(ns.name) ?? [],
    }]));
    const serviceSet = new Set<GuardedEnd>(this.services);
    const ends = [...this.ends.values()].filter(e => !serviceSet.has(e))
      .map(e => ({ namespace: e.namespace.name, selector: e.selector, principal: e.principal }));
    const declared = this.entryPoints.flatMap(e => e._declaredManifests());
    const findings = [...runManifestRules({ objects, managed, ends, addresses: this.addresses, declared }), ...this.verify(objects)];
    const { errors, warnings } = applySuppressions(findings, root);
    for (const w of warnings) {
      if (!this.printed.has(w.message)) {
        this.printed.add(w.message);
        console.warn(`warning: ${w.message}`);
      }
    }
    return errors.map(e => e.message);
  }

  /**
   * ZT416 and ZT417: the analyzer reads the objects back and compares what they allow with the declared flows.
   * An object it cannot read is a ZT417 finding on that object and is left out; the rest is still proven.
   */
  private verify(objects: ManifestObject[]): Finding[] {
    const findings: Finding[] = [];
    let readable = objects;
    const analyze = () => {
      const manifests = readable.map(o => o.manifest);
      const pods = [...podsFromManifests(manifests), ...[...this.ends.values()].flatMap(e => e._reachabilityPods())];
      const trustDomains = new Map(this.namespaces.map(ns => [ns.name, ns.trustDomain]));
      const namespaces = namespacesFromManifests(manifests, pods).map(ns => ({ ...ns, trustDomain: trustDomains.get(ns.name) }));
      return { pods, r: Reachability.analyze({ pods, manifests, namespaces }) };
    };
    let analysis: ReturnType<typeof analyze>;
    try {
      analysis = analyze();
    } catch {
      readable = objects.filter(o => {
        try {
          checkReadable(o.manifest);
          return true;
        } catch (e) {
          findings.push({
            ruleId: 'ZT417',
            path: o.path,
            message: ruleMessage('ZT417', o.path, `the reachability analyzer cannot read it, so ZT416 cannot prove what it allows: ${(e as Error).message}`,
              'Fix the object, or suppress ZT417 on it with a reason and review it by hand: the proof leaves it out'),
          });
          return false;
        }
      });
      try {
        analysis = analyze();
      } catch (e) {
        // Objects readable one by one but not together (a pod given twice, conflicting PeerAuthentications).
        const path = this.namespaces[0]?.node.path ?? this.node.path;
        return [...findings, {
          ruleId: 'ZT417',
          path,
          message: ruleMessage('ZT417', path, `the reachability analyzer cannot read the app's objects together: ${(e as Error).message}`,
            'Fix the objects it names'),
        }];
      }
    }
    const { pods, r } = analysis;
    const patterns = serverNamePatterns(readable.map(o => o.manifest));
    const ends: VerifiedEnd[] = [...this.ends.entries()].map(([key, e]) => ({
      key,
      namespace: e.namespace.name,
      selector: e.selector,
      // Read only for a finding: node paths are built by walking the scopes.
      get path() {
        return e.node.path;
      },
    }));
    const namespaces = new Map<string, VerifiedNamespace>(this.namespaces.map(ns => [ns.name, {
      path: ns.node.path, allowDns: ns.allowDns, sidecar: ns.mesh === 'sidecar',
    }]));
    const gateways = [...this.ends.values()].filter(isHostGateway);
    const trustDomains = new Map(this.namespaces.map(ns => [ns.name, ns.trustDomain]));
    return [
      ...findings, ...verifyDeclaredFlows(r, pods, ends, this.flows, namespaces), ...verifyGatewayHosts(r, pods, gateways, trustDomains, patterns),
    ];
  }
}

function render(root: IConstruct): ManifestObject[] {
  return root.node.findAll().filter(ApiObject.isApiObject).map(o => ({ manifest: o.toJson(), path: o.node.path }));
}
