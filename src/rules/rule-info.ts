/**
 * How serious a broken zero-trust rule is.
 */
export enum RuleSeverity {
  /**
   * The synth fails.
   */
  ERROR = 'error',

  /**
   * The synth goes on and prints a warning.
   */
  WARNING = 'warning',
}

/**
 * One entry of the zero-trust rule catalog.
 */
export interface RuleInfo {
  /**
   * Stable identifier, such as `ZT104`: it starts every message of this rule.
   */
  readonly id: string;

  /**
   * What the rule refuses, in a few words.
   */
  readonly title: string;

  /**
   * Whether breaking the rule fails the synth or only warns.
   */
  readonly severity: RuleSeverity;

  /**
   * Why the rule exists.
   */
  readonly rationale: string;

  /**
   * Whether `ZeroTrustRules.suppress` may silence it; rules whose breach would give an invalid or unenforceable manifest may not be suppressed.
   */
  readonly suppressible: boolean;
}
