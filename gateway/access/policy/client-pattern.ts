import { isMemberState, parseClientId } from '../../../trust/index.js';

/**
 * Patterns over ClientIds `GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]` (X-Road style member
 * identifiers, see trust/identity/client-identity.ts):
 *
 *     pattern  = "GCC:" ( "**" / part ( ":**" / ":" part ( ":**" / ":" part [ ":**" / ":" part ] ) ) )
 *     part     = "*" / literal       ; "*" matches exactly one whole part
 *
 * A pattern without `**` has the shape of a ClientId (member or subsystem) and matches ClientIds of
 * that length only: `GCC:*:GOV:*` matches the members of every state but not their subsystems.
 * A trailing `:**` matches any number (zero or more) of remaining parts: `GCC:QA:GOV:CSGDB:**`
 * matches the member and all its subsystems, `GCC:SA:**` everything of Saudi Arabia.
 * Literals are compared exactly (ClientIds are case-sensitive; states are upper case).
 */
export interface ClientPattern {
  readonly source: string;
  /** `parts` are the ClientId's parts after `GCC` (see `clientIdParts`). */
  matches(parts: readonly string[]): boolean;
}

/** Same grammar as a ClientId part (trust/identity/client-identity.ts). */
const LITERAL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PART_NAMES = ['state', 'member class', 'member code', 'subsystem code'] as const;

/** Why `pattern` is not a client pattern, or undefined when it is one. */
export function clientPatternProblem(pattern: string): string | undefined {
  if (typeof pattern !== 'string') return 'a client pattern must be a string';
  if (!pattern.startsWith('GCC:')) return `"${pattern}" must start with "GCC:" (ClientIds are GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>])`;
  const parts = pattern.slice(4).split(':');
  const anyRest = parts[parts.length - 1] === '**';
  const fixed = anyRest ? parts.slice(0, -1) : parts;
  if (fixed.includes('**')) return `"${pattern}": "**" may only be the last part`;
  if (fixed.length > 4) return `"${pattern}" has more parts than a ClientId (state, class, member, subsystem)`;
  if (anyRest && fixed.length === 4) return `"${pattern}": nothing can follow a subsystem, so ":**" after it matches nothing more; drop it`;
  if (!anyRest && fixed.length < 3) return `"${pattern}" must name state, class and member (use "*" for any), or end with ":**"`;
  for (const [index, part] of fixed.entries()) {
    if (part === '*') continue;
    if (part.includes('*')) return `"${pattern}": "*" must be a whole part, not part of "${part}"`;
    if (index === 0 ? !isMemberState(part) : !LITERAL.test(part)) {
      return index === 0
        ? `"${pattern}": "${part}" is not a GCC member state (BH, KW, OM, QA, SA, AE) or "*"`
        : `"${pattern}": "${part}" is not a valid ${PART_NAMES[index]} (letters, digits, ".", "_", "-"; at most 64)`;
    }
  }
  return undefined;
}

/** Compiles a pattern once; throws a TypeError naming the problem when it is not one. */
export function compileClientPattern(pattern: string): ClientPattern {
  const problem = clientPatternProblem(pattern);
  if (problem !== undefined) throw new TypeError(problem);
  const parts = pattern.slice(4).split(':');
  const anyRest = parts[parts.length - 1] === '**';
  const fixed: ReadonlyArray<string | undefined> = (anyRest ? parts.slice(0, -1) : parts).map((p) => (p === '*' ? undefined : p));
  const length = fixed.length;
  return {
    source: pattern,
    matches(client: readonly string[]): boolean {
      if (anyRest ? client.length < length : client.length !== length) return false;
      for (let i = 0; i < length; i++) {
        const literal = fixed[i];
        if (literal !== undefined && literal !== client[i]) return false;
      }
      return true;
    },
  };
}

/**
 * The parts of a well-formed ClientId after `GCC` (`['QA', 'GOV', 'CSGDB', 'hr-portal']`), or
 * undefined for anything that is not one: a malformed identity matches no pattern (fail closed).
 */
export function clientIdParts(clientId: string | undefined): readonly string[] | undefined {
  if (clientId === undefined) return undefined;
  const identity = parseClientId(clientId);
  if (identity === undefined) return undefined;
  return identity.subsystem === undefined ? [identity.state, identity.memberClass, identity.member] : [identity.state, identity.memberClass, identity.member, identity.subsystem];
}
