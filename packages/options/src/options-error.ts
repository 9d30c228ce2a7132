/** One bad option: its dotted path (`''` when the options value itself is wrong) and what is wrong. */
export interface OptionIssue {
  /** Dotted path of the option, e.g. `'regularization.l1'` or `'models.0'`; `''` for the options value itself. */
  readonly option: string;
  /** What is wrong, e.g. `expected a number >= 0, got -1`. */
  readonly message: string;
}

/** Brand shared by every copy of this class (ESM and CJS builds, two installed versions). */
const BRAND = Symbol.for('@regstudy/options:OptionsError');

function describeIssue(issue: OptionIssue): string {
  return `${issue.option === '' ? 'options' : `option '${issue.option}'`}: ${issue.message}`;
}

/**
 * Thrown by every `@regstudy/*` function given a bad option. The message names the function and
 * each bad option with the value it got, one `; `-separated entry per option:
 *
 * ```text
 * penalty(): option 'l1': expected a number >= 0, got -1
 * ```
 *
 * It extends `TypeError`, so code that caught `TypeError` or `Error` still catches it.
 * `instanceof OptionsError` holds for an error thrown by any copy of this package (its ESM and
 * CJS builds, or two installed versions), as do `name === 'OptionsError'` and
 * `code === 'ERR_REGSTUDY_OPTIONS'`.
 */
export class OptionsError extends TypeError {
  override readonly name = 'OptionsError';
  /** Stable, machine-readable marker: always `'ERR_REGSTUDY_OPTIONS'`. */
  readonly code = 'ERR_REGSTUDY_OPTIONS';
  /** The function that rejected the options, e.g. `'penalty()'`. */
  readonly where: string;
  /** Dotted path of the first bad option (see {@link OptionIssue.option}). */
  readonly option: string;
  /** Every bad option, in the order found; never empty. */
  readonly issues: readonly OptionIssue[];
  private readonly [BRAND] = true;

  /**
   * @param where - the public function, e.g. `'penalty()'`, named first in the message.
   * @param issues - one issue or several (at least one).
   */
  constructor(where: string, issues: OptionIssue | readonly OptionIssue[]) {
    const list: readonly OptionIssue[] = 'option' in issues ? [issues] : issues;
    const first = list[0];
    if (first === undefined) throw new RangeError('OptionsError: needs at least one issue');
    super(`${where}: ${list.map(describeIssue).join('; ')}`);
    this.where = where;
    this.option = first.option;
    this.issues = list.map((i) => ({ option: i.option, message: i.message }));
  }

  /** True for an `OptionsError` from any copy of this package (not only this class object). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== OptionsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
