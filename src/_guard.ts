// The app-level zero-trust check: one construct per app whose validation inspects every synthesized object.
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ManagedNamespace, ManifestObject, applySuppressions, runManifestRules } from './_manifest-rules';

const GUARD_ID = 'zero-trust';

/** What the guard needs of a ZeroTrustNamespace (an interface, to keep the import graph acyclic). */
export interface GuardedNamespace extends IConstruct {
  readonly name: string;
  readonly mesh: ManagedNamespace['mesh'];
}

/**
 * Runs the ZT4xx and ZT5xx rules over the app's objects at synth, through `node.addValidation`: errors fail the
 * synth, warnings are printed once. It is a child of the app's root, so it sees every chart.
 */
export class ZeroTrustGuard extends Construct {
  /** The guard of `scope`'s app, created on first use; `namespace` joins the managed namespaces. */
  public static register(namespace: GuardedNamespace): void {
    const root = namespace.node.root as Construct;
    const guard = (root.node.tryFindChild(GUARD_ID) as ZeroTrustGuard | undefined) ?? new ZeroTrustGuard(root);
    guard.namespaces.push(namespace);
  }

  private readonly namespaces: GuardedNamespace[] = [];
  /** Warnings already printed: cdk8s validates once per chart, and a warning is worth one line. */
  private readonly printed = new Set<string>();

  private constructor(root: Construct) {
    super(root, GUARD_ID);
    this.node.addValidation({ validate: () => this.check() });
  }

  private check(): string[] {
    const root = this.node.root;
    const objects: ManifestObject[] = root.node.findAll()
      .filter(ApiObject.isApiObject)
      .map(o => ({ manifest: o.toJson(), path: o.node.path }));
    const managed = new Map(this.namespaces.map(ns => [ns.name, { mesh: ns.mesh }]));
    const { errors, warnings } = applySuppressions(runManifestRules({ objects, managed }), root);
    for (const w of warnings) {
      if (!this.printed.has(w.message)) {
        this.printed.add(w.message);
        console.warn(`warning: ${w.message}`);
      }
    }
    return errors.map(e => e.message);
  }
}
