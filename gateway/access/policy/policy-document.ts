import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { SensitivityLevel } from '../../../adapters/kit/index.js';
import { schemasDir } from '../../../schemas/schema-files.js';
import { clientPatternProblem } from './client-pattern.js';

/**
 * The access policy document, as written in YAML or JSON. Its contract is
 * `schemas/policy.schema.json` (JSON Schema 2020-12), which documents every property; this module
 * holds the matching types and turns a text into a checked document or a list of problems, each
 * named by its path in the document (`rules[3].clients[0]`).
 */
export type OperationType = 'query' | 'mutation' | 'subscription';
export type { SensitivityLevel };

export interface LocalizedText {
  readonly en: string;
  readonly ar: string;
}

export interface PolicyPurpose {
  /** UPPER_SNAKE_CASE, e.g. `PENSION_PROTECTION`. */
  readonly code: string;
  readonly legalBasis: string;
  readonly description: LocalizedText;
}

export interface PolicyLimits {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly maxConcurrent: number;
  readonly introspection: boolean;
}

export interface ClientLimits {
  readonly clients: readonly string[];
  readonly limits: Partial<PolicyLimits>;
}

export interface PolicyRule {
  readonly id: string;
  readonly description?: string;
  /** @default 'allow' */
  readonly effect?: 'allow' | 'deny';
  readonly clients: readonly string[];
  /** Omitted: any purpose, including none. */
  readonly purposes?: readonly string[];
  /** Omitted: every operation type. */
  readonly operations?: readonly OperationType[];
  readonly operationNames?: readonly string[];
  readonly fields?: readonly string[];
  readonly types?: readonly string[];
  readonly sensitivities?: readonly SensitivityLevel[];
}

export interface PolicyDocument {
  readonly version: 1;
  readonly purposes: readonly PolicyPurpose[];
  readonly defaults: {
    /** Never PERSONAL or FINANCIAL: the schema refuses them. */
    readonly allowSensitivities: ReadonlyArray<'PUBLIC' | 'INTERNAL'>;
    readonly limits: PolicyLimits;
  };
  readonly public?: readonly string[];
  readonly clients?: readonly ClientLimits[];
  readonly rules?: readonly PolicyRule[];
}

/** Something wrong (error) or suspicious (warning) in a policy document. */
export interface PolicyProblem {
  readonly severity: 'error' | 'warning';
  /** Where in the document, e.g. `rules[3].clients[0]`; `(document)` for the whole. */
  readonly path: string;
  readonly message: string;
}

let validator: ValidateFunction | undefined;

/** The JSON Schema of policy documents, compiled once from `schemas/policy.schema.json`. */
function policyValidator(): ValidateFunction {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(join(schemasDir(), 'policy.schema.json'), 'utf8')) as object;
    // allErrors: a security team fixing a policy wants every problem at once, not one per run.
    validator = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
  }
  return validator;
}

/** `/rules/3/clients/0` (JSON Pointer, RFC 6901) -> `rules[3].clients[0]`. */
export function documentPath(pointer: string): string {
  if (pointer === '') return '(document)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value = document;
  for (const raw of pointer.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** Ajv's messages, rewritten where the generic one would not tell a security team what to fix. */
function problemOf(error: ErrorObject, document: unknown): PolicyProblem | undefined {
  const path = documentPath(error.instancePath);
  const message = ((): string | undefined => {
    const schemaRef = error.schemaPath;
    // anyOf reports each failed branch too; the anyOf error itself says it better.
    if (schemaRef.includes('/anyOf/')) return undefined;
    switch (error.keyword) {
      case 'anyOf':
        return 'a rule must name the fields it covers: give at least one of "fields", "types" or "sensitivities"';
      case 'additionalProperties':
        return `unknown property "${String(error.params['additionalProperty'])}"`;
      case 'required':
        return `"${String(error.params['missingProperty'])}" is required`;
      case 'const':
        return `must be ${JSON.stringify(error.params['allowedValue'])}`;
      case 'not':
        return '"defaults" and "public" are reserved and cannot be rule ids';
      case 'enum':
        if (/^\/defaults\/allowSensitivities\/\d+$/.test(error.instancePath)) {
          return `${JSON.stringify(valueAt(document, error.instancePath))} cannot be allowed by default: only PUBLIC and INTERNAL may be listed here; PERSONAL and FINANCIAL are denied unless a rule allows them for a purpose (default deny is not configurable)`;
        }
        return `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      case 'pattern': {
        const value = valueAt(document, error.instancePath);
        if (/\/clients\/\d+$/.test(error.instancePath) && typeof value === 'string') return clientPatternProblem(value) ?? `"${value}" is not a client pattern`;
        if (/\/(fields|public)\/\d+$/.test(error.instancePath)) return `"${String(value)}" is not a field pattern: write Type.field or Type.*`;
        if (/\/(code|purposes\/\d+)$/.test(error.instancePath)) return `"${String(value)}" is not a purpose code (UPPER_SNAKE_CASE, e.g. PENSION_PROTECTION)`;
        if (/\/id$/.test(error.instancePath)) return `"${String(value)}" is not a rule id (lower-case letters, digits and "-", at most 64)`;
        return `"${String(value)}" is not a GraphQL name`;
      }
      default:
        return error.message ?? 'is not valid';
    }
  })();
  return message === undefined ? undefined : { severity: 'error', path, message };
}

/**
 * Every problem of a document that can be found without a schema: the JSON Schema, then what a
 * JSON Schema cannot say (unique purpose codes and rule ids, rules naming unknown purposes).
 */
export function validatePolicyDocument(value: unknown): PolicyProblem[] {
  const validate = policyValidator();
  if (!validate(value)) {
    const problems: PolicyProblem[] = [];
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const problem = problemOf(error, value);
      if (problem === undefined) continue;
      const key = `${problem.path}\n${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
    return problems.length > 0 ? problems : [{ severity: 'error', path: '(document)', message: 'does not match schemas/policy.schema.json' }];
  }
  const document = value as PolicyDocument;
  const problems: PolicyProblem[] = [];
  const codes = new Map<string, number>();
  document.purposes.forEach((purpose, i) => {
    const first = codes.get(purpose.code);
    if (first !== undefined) problems.push({ severity: 'error', path: `purposes[${i}].code`, message: `purpose ${purpose.code} is already defined at purposes[${first}]` });
    else codes.set(purpose.code, i);
  });
  const ids = new Map<string, number>();
  (document.rules ?? []).forEach((rule, i) => {
    const first = ids.get(rule.id);
    if (first !== undefined) problems.push({ severity: 'error', path: `rules[${i}].id`, message: `rule id "${rule.id}" is already used by rules[${first}]` });
    else ids.set(rule.id, i);
    (rule.purposes ?? []).forEach((code, j) => {
      if (!codes.has(code)) problems.push({ severity: 'error', path: `rules[${i}].purposes[${j}]`, message: `${code} is not one of the purposes defined in "purposes"` });
    });
  });
  return problems;
}

/** Parses YAML 1.2 (JSON is a subset, so JSON documents parse too); throws a message naming the line. */
export function parsePolicyText(text: string, source = 'access policy'): unknown {
  try {
    // uniqueKeys (the default) refuses duplicate keys: a second `rules:` must not silently win.
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos ? ` at line ${cause.linePos[0].line}` : '';
    throw new SyntaxError(`${source} is not valid YAML or JSON${where}: ${(cause as Error).message.split('\n')[0]}`);
  }
}
