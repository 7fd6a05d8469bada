import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { SensitivityLevel } from '../../../adapters/kit/index.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { clientIdParts, compileClientPattern, type ClientPattern } from './client-pattern.js';
import {
  parsePolicyText,
  validatePolicyDocument,
  type OperationType,
  type PolicyDocument,
  type PolicyLimits,
  type PolicyProblem,
  type PolicyPurpose,
  type PolicyRule,
} from './policy-document.js';

/** A field as the policy sees it; `touchedFields` produces these. */
export interface PolicyField {
  readonly coordinate: string;
  readonly parentType: string;
  readonly returnType: string;
  /** Undefined (no `@sensitivity`) is treated as PERSONAL, the strictest reading. */
  readonly sensitivity: SensitivityLevel | undefined;
}

export interface PolicyRequest {
  /** The authenticated ClientId; undefined (or malformed) means no identity: everything is denied. */
  readonly clientId: string | undefined;
  readonly purpose: string | undefined;
  readonly operationType: OperationType;
  /** null and undefined both mean an anonymous operation. */
  readonly operationName: string | null | undefined;
  readonly fields: readonly PolicyField[];
}

export type PolicyDecisionCode = 'ERR_POLICY_DENIED' | 'ERR_PURPOSE_REQUIRED' | 'ERR_PURPOSE_UNKNOWN';

/**
 * Why a field was denied: the request has no (valid) client identity; the field is PERSONAL or
 * FINANCIAL and no purpose was given; a deny rule matched (`ruleId`); or nothing allowed it.
 */
export type DenialReason = 'no-client-identity' | 'purpose-required' | 'deny-rule' | 'no-allow-rule';

export interface DeniedField {
  readonly coordinate: string;
  /** The declared level, or `UNCLASSIFIED` for a field without one (judged as PERSONAL). */
  readonly sensitivity: SensitivityLevel | 'UNCLASSIFIED';
  readonly reason: DenialReason;
  /** The deny rule, for `deny-rule`. */
  readonly ruleId?: string;
}

export interface MatchedField {
  readonly coordinate: string;
  /** The allow rule's id, or `defaults` (defaults.allowSensitivities) or `public`. */
  readonly ruleId: string;
}

export interface PolicyDecision {
  readonly allowed: boolean;
  readonly code?: PolicyDecisionCode;
  /** Sorted by coordinate, each coordinate once. */
  readonly denied: readonly DeniedField[];
  /** False only when the operation touches at least one field and every one is public. */
  readonly signatureRequired: boolean;
  /** Why each allowed field is allowed (only when step 3 ran). */
  readonly matched: readonly MatchedField[];
}

/** The schema a policy is checked against: the API schema and `Type.field -> level`. */
export interface PolicySchema {
  readonly schema: GraphQLSchema;
  readonly sensitivities: ReadonlyMap<string, SensitivityLevel>;
}

export interface AccessPolicyOptions {
  /** Named in error messages, e.g. the file path. @default 'access policy' */
  readonly source?: string;
  /**
   * Also check the document against this schema and refuse it on errors: field patterns and types
   * that match nothing, public patterns that match PERSONAL or FINANCIAL fields.
   */
  readonly against?: PolicySchema;
}

const SENSITIVE: ReadonlySet<SensitivityLevel> = new Set(['PERSONAL', 'FINANCIAL']);
/** Bound on remembered per-client rule sets; more distinct clients than this start the memo afresh. */
const MAX_MEMO_CLIENTS = 10_000;

/** Which fields a rule (or the public list) covers, compiled to set lookups. */
class FieldMatcher {
  readonly #exact = new Set<string>();
  readonly #wholeTypes = new Set<string>();
  readonly #types: ReadonlySet<string>;
  readonly #levels: ReadonlySet<SensitivityLevel>;

  constructor(fields: readonly string[] = [], types: readonly string[] = [], levels: readonly SensitivityLevel[] = []) {
    for (const pattern of fields) {
      if (pattern.endsWith('.*')) this.#wholeTypes.add(pattern.slice(0, -2));
      else this.#exact.add(pattern);
    }
    this.#types = new Set(types);
    this.#levels = new Set(levels);
  }

  /** `level` is the effective level (PERSONAL for an unclassified field). */
  matches(field: PolicyField, level: SensitivityLevel): boolean {
    return (
      this.#exact.has(field.coordinate) ||
      this.#wholeTypes.has(field.parentType) ||
      this.#types.has(field.parentType) ||
      this.#types.has(field.returnType) ||
      this.#levels.has(level)
    );
  }
}

interface CompiledRule {
  readonly id: string;
  readonly deny: boolean;
  readonly clients: readonly ClientPattern[];
  readonly purposes: ReadonlySet<string> | undefined;
  readonly operations: ReadonlySet<OperationType> | undefined;
  readonly operationNames: ReadonlySet<string> | undefined;
  readonly target: FieldMatcher;
}

/** What one client gets: its rules (already filtered by client pattern) and its limits. */
interface ClientView {
  readonly deny: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
  readonly limits: PolicyLimits;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const effectiveLevel = (sensitivity: SensitivityLevel | undefined): SensitivityLevel => sensitivity ?? 'PERSONAL';
const isMetaField = (field: PolicyField): boolean => field.parentType.startsWith('__') || field.coordinate.includes('.__');
const byCoordinate = (a: { coordinate: string }, b: { coordinate: string }): number => (a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0);

/**
 * The access policy: default deny for PERSONAL and FINANCIAL fields, a purpose of use for them,
 * allow and deny rules over clients, purposes, operations and fields, public fields for unsigned
 * requests, and per-client limits. Immutable; load a new one to change the policy.
 *
 * Decisions fail closed: no identity, an unknown purpose, an unclassified field or any problem in
 * the document means no (a document with errors is refused when loaded).
 */
export class AccessPolicy {
  readonly document: PolicyDocument;
  /** Purpose code -> purpose (legal basis, English and Arabic description). */
  readonly purposes: ReadonlyMap<string, PolicyPurpose>;
  readonly #rules: readonly CompiledRule[];
  readonly #public: FieldMatcher;
  readonly #defaultLevels: ReadonlySet<SensitivityLevel>;
  readonly #clientLimits: ReadonlyArray<{ readonly clients: readonly ClientPattern[]; readonly limits: Partial<PolicyLimits> }>;
  readonly #views = new Map<string, ClientView>();

  private constructor(document: PolicyDocument) {
    // A copy of its own, frozen: the caller's object may change later, the policy may not.
    this.document = deepFreeze(structuredClone(document));
    this.purposes = new Map(document.purposes.map((purpose) => [purpose.code, purpose]));
    this.#rules = (document.rules ?? []).map((rule) => ({
      id: rule.id,
      deny: rule.effect === 'deny',
      clients: rule.clients.map(compileClientPattern),
      purposes: rule.purposes === undefined ? undefined : new Set(rule.purposes),
      operations: rule.operations === undefined ? undefined : new Set(rule.operations),
      operationNames: rule.operationNames === undefined ? undefined : new Set(rule.operationNames),
      target: new FieldMatcher(rule.fields, rule.types, rule.sensitivities),
    }));
    this.#public = new FieldMatcher(document.public ?? []);
    this.#defaultLevels = new Set(document.defaults.allowSensitivities);
    this.#clientLimits = (document.clients ?? []).map((entry) => ({ clients: entry.clients.map(compileClientPattern), limits: entry.limits }));
  }

  /**
   * Checks a parsed document (and, with `against`, its fit to the schema) and reports every
   * problem; `policy` is set when there is no error (warnings are allowed).
   */
  static check(value: unknown, against?: PolicySchema): { policy: AccessPolicy | undefined; problems: PolicyProblem[] } {
    const problems = validatePolicyDocument(value);
    if (problems.some((p) => p.severity === 'error')) return { policy: undefined, problems };
    const policy = new AccessPolicy(value as PolicyDocument);
    if (against !== undefined) problems.push(...policy.problemsAgainst(against));
    return { policy: problems.some((p) => p.severity === 'error') ? undefined : policy, problems };
  }

  /** A policy from a parsed document; throws `ERR_CONFIG_INVALID` naming each problem's path. */
  static fromDocument(value: unknown, options: AccessPolicyOptions = {}): AccessPolicy {
    const { policy, problems } = AccessPolicy.check(value, options.against);
    if (policy === undefined) {
      const errors = problems.filter((p) => p.severity === 'error');
      const shown = errors.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
      const more = errors.length > 5 ? ` (and ${errors.length - 5} more; run gccgw policy check)` : '';
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `${options.source ?? 'access policy'} is invalid: ${shown}${more}`, details: { problems: errors } });
    }
    return policy;
  }

  /** A policy from YAML or JSON text. */
  static fromText(text: string, options: AccessPolicyOptions = {}): AccessPolicy {
    let value: unknown;
    try {
      value = parsePolicyText(text, options.source);
    } catch (cause) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: (cause as Error).message, cause });
    }
    return AccessPolicy.fromDocument(value, options);
  }

  /** A policy from a YAML or JSON file, read without blocking. */
  static async load(path: string, options: Omit<AccessPolicyOptions, 'source'> = {}): Promise<AccessPolicy> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `cannot read the access policy ${path}: ${(cause as Error).message}`, cause });
    }
    return AccessPolicy.fromText(text, { ...options, source: path });
  }

  /** A policy from a YAML or JSON file. */
  static fromFile(path: string, options: Omit<AccessPolicyOptions, 'source'> = {}): AccessPolicy {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `cannot read the access policy ${path}: ${(cause as Error).message}`, cause });
    }
    return AccessPolicy.fromText(text, { ...options, source: path });
  }

  /** The rule with this id, as written in the document. */
  rule(id: string): PolicyRule | undefined {
    return this.document.rules?.find((rule) => rule.id === id);
  }

  isPurpose(code: string | undefined): boolean {
    return code !== undefined && this.purposes.has(code);
  }

  /** The client's limits: defaults, overridden by the first `clients` entry that matches it. */
  limitsFor(clientId: string | undefined): PolicyLimits {
    return this.#view(clientId)?.limits ?? this.document.defaults.limits;
  }

  /** Whether an unsigned request may use the field: listed public and neither PERSONAL nor FINANCIAL. */
  isPublic(field: PolicyField): boolean {
    return !SENSITIVE.has(effectiveLevel(field.sensitivity)) && this.#public.matches(field, 'PUBLIC');
  }

  /**
   * Decides whether the client may run an operation that touches `fields`:
   * 1. a purpose that is not in `purposes` -> ERR_PURPOSE_UNKNOWN;
   * 2. a PERSONAL or FINANCIAL (or unclassified) field without a purpose -> ERR_PURPOSE_REQUIRED;
   * 3. per field: denied if a deny rule matches; else allowed by defaults.allowSensitivities, by
   *    the public list, or by an allow rule; else denied;
   * 4. any denied field -> ERR_POLICY_DENIED, listing every denied field.
   */
  decide(request: PolicyRequest): PolicyDecision {
    const fields = request.fields;
    let policyFields = 0;
    let allPublic = true;
    for (const field of fields) {
      if (isMetaField(field)) continue;
      policyFields += 1;
      if (allPublic && !this.isPublic(field)) allPublic = false;
    }
    const signatureRequired = policyFields === 0 || !allPublic;

    const { purpose } = request;
    if (purpose !== undefined && !this.purposes.has(purpose)) {
      return { allowed: false, code: 'ERR_PURPOSE_UNKNOWN', denied: [], signatureRequired, matched: [] };
    }
    if (purpose === undefined) {
      const needPurpose: DeniedField[] = [];
      const seen = new Set<string>();
      for (const field of fields) {
        if (isMetaField(field) || !SENSITIVE.has(effectiveLevel(field.sensitivity)) || seen.has(field.coordinate)) continue;
        seen.add(field.coordinate);
        needPurpose.push({ coordinate: field.coordinate, sensitivity: field.sensitivity ?? 'UNCLASSIFIED', reason: 'purpose-required' });
      }
      if (needPurpose.length > 0) return { allowed: false, code: 'ERR_PURPOSE_REQUIRED', denied: needPurpose.sort(byCoordinate), signatureRequired, matched: [] };
    }

    const view = this.#view(request.clientId);
    const applies = (rule: CompiledRule): boolean =>
      (rule.purposes === undefined || (purpose !== undefined && rule.purposes.has(purpose))) &&
      (rule.operations === undefined || rule.operations.has(request.operationType)) &&
      (rule.operationNames === undefined || (typeof request.operationName === 'string' && rule.operationNames.has(request.operationName)));
    const deny = view === undefined ? [] : view.deny.filter(applies);
    const allow = view === undefined ? [] : view.allow.filter(applies);

    const denied: DeniedField[] = [];
    const matched: MatchedField[] = [];
    const seen = new Set<string>();
    for (const field of fields) {
      if (isMetaField(field) || seen.has(field.coordinate)) continue;
      seen.add(field.coordinate);
      const level = effectiveLevel(field.sensitivity);
      const sensitivity = field.sensitivity ?? 'UNCLASSIFIED';
      if (view === undefined) {
        denied.push({ coordinate: field.coordinate, sensitivity, reason: 'no-client-identity' });
        continue;
      }
      const denying = deny.find((rule) => rule.target.matches(field, level));
      if (denying !== undefined) {
        denied.push({ coordinate: field.coordinate, sensitivity, reason: 'deny-rule', ruleId: denying.id });
        continue;
      }
      // PERSONAL and FINANCIAL are never in the default levels (the schema refuses them) and never
      // public (isPublic): only an allow rule can let them through.
      if (this.#defaultLevels.has(level)) {
        matched.push({ coordinate: field.coordinate, ruleId: 'defaults' });
        continue;
      }
      if (this.isPublic(field)) {
        matched.push({ coordinate: field.coordinate, ruleId: 'public' });
        continue;
      }
      const allowing = allow.find((rule) => rule.target.matches(field, level));
      if (allowing !== undefined) matched.push({ coordinate: field.coordinate, ruleId: allowing.id });
      else denied.push({ coordinate: field.coordinate, sensitivity, reason: 'no-allow-rule' });
    }
    if (denied.length > 0) return { allowed: false, code: 'ERR_POLICY_DENIED', denied: denied.sort(byCoordinate), signatureRequired, matched };
    return { allowed: true, denied, signatureRequired, matched };
  }

  /** The rules that name the client, and its limits; undefined for no or a malformed identity. */
  #view(clientId: string | undefined): ClientView | undefined {
    if (clientId === undefined) return undefined;
    const known = this.#views.get(clientId);
    if (known !== undefined) return known;
    const parts = clientIdParts(clientId);
    if (parts === undefined) return undefined;
    const mine = this.#rules.filter((rule) => rule.clients.some((pattern) => pattern.matches(parts)));
    const override = this.#clientLimits.find((entry) => entry.clients.some((pattern) => pattern.matches(parts)));
    const view: ClientView = {
      deny: mine.filter((rule) => rule.deny),
      allow: mine.filter((rule) => !rule.deny),
      limits: Object.freeze({ ...this.document.defaults.limits, ...override?.limits }),
    };
    if (this.#views.size >= MAX_MEMO_CLIENTS) this.#views.clear();
    this.#views.set(clientId, view);
    return view;
  }

  /**
   * Problems of the document against a schema. Errors: field patterns and types that match
   * nothing, public patterns that match a PERSONAL, FINANCIAL or unclassified field. Warnings: rules
   * that can never match (no field, or only root fields of operation types the rule excludes), and
   * allow rules that add nothing to the defaults.
   */
  problemsAgainst({ schema, sensitivities }: PolicySchema): PolicyProblem[] {
    const problems: PolicyProblem[] = [];
    const all = schemaFields(schema, sensitivities);
    const typeNames = new Set(Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__')));
    const fieldTypes = new Set(all.map((f) => f.parentType));
    const reachable = reachableTypes(schema);

    const patternMatches = (pattern: string): PolicyField[] => {
      if (pattern.endsWith('.*')) {
        const type = pattern.slice(0, -2);
        return all.filter((f) => f.parentType === type);
      }
      return all.filter((f) => f.coordinate === pattern);
    };
    const patternProblem = (pattern: string, path: string): PolicyProblem | undefined => {
      if (patternMatches(pattern).length > 0) return undefined;
      const type = pattern.slice(0, pattern.indexOf('.'));
      const why = !typeNames.has(type) ? `the schema has no type ${type}` : !fieldTypes.has(type) ? `${type} has no fields (not an object or interface type)` : `${type} has no field ${pattern.slice(type.length + 1)}`;
      return { severity: 'error', path, message: `"${pattern}" matches no field: ${why}` };
    };

    (this.document.public ?? []).forEach((pattern, i) => {
      const path = `public[${i}]`;
      const missing = patternProblem(pattern, path);
      if (missing !== undefined) {
        problems.push(missing);
        return;
      }
      const sensitive = patternMatches(pattern).filter((f) => SENSITIVE.has(effectiveLevel(f.sensitivity)));
      if (sensitive.length > 0) {
        const names = sensitive.map((f) => `${f.coordinate} (${f.sensitivity ?? 'UNCLASSIFIED'})`);
        problems.push({
          severity: 'error',
          path,
          message: `"${pattern}" matches ${names.length === 1 ? 'a field that is' : 'fields that are'} PERSONAL, FINANCIAL or unclassified, which can never be public: ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, and ${names.length - 8} more` : ''}`,
        });
      }
    });

    const operationsInSchema: OperationType[] = (['query', 'mutation', 'subscription'] as const).filter((op) => rootType(schema, op) !== undefined);
    (this.document.rules ?? []).forEach((rule: PolicyRule, i) => {
      let broken = false;
      (rule.fields ?? []).forEach((pattern, j) => {
        const problem = patternProblem(pattern, `rules[${i}].fields[${j}]`);
        if (problem !== undefined) {
          problems.push(problem);
          broken = true;
        }
      });
      (rule.types ?? []).forEach((type, j) => {
        if (!typeNames.has(type)) {
          problems.push({ severity: 'error', path: `rules[${i}].types[${j}]`, message: `the schema has no type ${type}` });
          broken = true;
        }
      });
      if (broken) return;
      const matcher = new FieldMatcher(rule.fields, rule.types, rule.sensitivities);
      const covered = all.filter((f) => matcher.matches(f, effectiveLevel(f.sensitivity)));
      const operations = rule.operations ?? operationsInSchema;
      const usable = covered.filter((f) => operations.some((op) => reachable.get(op)?.has(f.parentType) === true));
      const path = `rules[${i}]`;
      if (covered.length === 0) {
        problems.push({ severity: 'warning', path, message: `rule "${rule.id}" can never match: no field of the schema has the sensitivities it names` });
      } else if (usable.length === 0) {
        problems.push({ severity: 'warning', path, message: `rule "${rule.id}" can never match: none of its fields can be selected in a ${operations.join(' or ')} operation` });
      } else if (rule.effect !== 'deny' && usable.every((f) => this.#defaultLevels.has(effectiveLevel(f.sensitivity)))) {
        problems.push({ severity: 'warning', path, message: `rule "${rule.id}" adds nothing: every field it covers is ${[...this.#defaultLevels].join(' or ')}, which defaults.allowSensitivities already allows` });
      }
    });
    return problems;
  }
}

function rootType(schema: GraphQLSchema, operation: OperationType): GraphQLObjectType | undefined {
  const type = operation === 'query' ? schema.getQueryType() : operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return type ?? undefined;
}

/** Every field of the schema's object and interface types (introspection types left out). */
function schemaFields(schema: GraphQLSchema, sensitivities: ReadonlyMap<string, SensitivityLevel>): PolicyField[] {
  const out: PolicyField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      out.push({ coordinate, parentType: type.name, returnType: getNamedType(field.type).name, sensitivity: sensitivities.get(coordinate) });
    }
  }
  return out;
}

/** Per operation type, the types whose fields an operation of that type can select. */
function reachableTypes(schema: GraphQLSchema): Map<OperationType, Set<string>> {
  const out = new Map<OperationType, Set<string>>();
  for (const operation of ['query', 'mutation', 'subscription'] as const) {
    const root = rootType(schema, operation);
    const seen = new Set<string>();
    if (root !== undefined) {
      const pending: GraphQLNamedType[] = [root];
      while (pending.length > 0) {
        const type = pending.pop() as GraphQLNamedType;
        if (seen.has(type.name)) continue;
        seen.add(type.name);
        if (isObjectType(type) || isInterfaceType(type)) {
          for (const field of Object.values(type.getFields())) pending.push(getNamedType(field.type));
          if (isInterfaceType(type)) pending.push(...schema.getPossibleTypes(type));
        } else if (isUnionType(type)) {
          pending.push(...type.getTypes());
        }
      }
    }
    out.set(operation, seen);
  }
  return out;
}
