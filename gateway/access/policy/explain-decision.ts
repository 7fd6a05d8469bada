import type { SensitivityLevel } from '../../../adapters/kit/index.js';
import { ERROR_CODES } from '../../errors/error-codes.js';
import type { AccessPolicy, DenialReason, PolicyDecision, PolicyDecisionCode, PolicyRequest } from './access-policy.js';
import type { PolicyPurpose } from './policy-document.js';

/** One field of an explained decision. */
export interface FieldExplanation {
  readonly coordinate: string;
  readonly sensitivity: SensitivityLevel | 'UNCLASSIFIED';
  /** `not-evaluated`: the decision ended at the purpose check, before fields were judged. */
  readonly outcome: 'allowed' | 'denied' | 'not-evaluated';
  /** The allow or deny rule, or `defaults` / `public`. */
  readonly ruleId?: string;
  readonly ruleDescription?: string;
  readonly reason?: DenialReason;
  /** The outcome in words. */
  readonly text: string;
}

export interface DecisionExplanation {
  readonly allowed: boolean;
  readonly code: PolicyDecisionCode | null;
  readonly message: { readonly en: string; readonly ar: string } | null;
  readonly clientId: string | null;
  readonly purpose: { readonly code: string; readonly known: boolean; readonly legalBasis?: string; readonly description?: PolicyPurpose['description'] } | null;
  /** When the purpose is unknown: the codes the policy knows. */
  readonly knownPurposes?: readonly string[];
  readonly operation: { readonly type: string; readonly name: string | null };
  readonly signatureRequired: boolean;
  readonly fields: readonly FieldExplanation[];
}

function deniedText(reason: DenialReason, level: string, purpose: string | undefined, ruleId: string | undefined): string {
  switch (reason) {
    case 'no-client-identity':
      return 'DENIED: the request has no valid client identity (ClientId)';
    case 'purpose-required':
      return `DENIED: ${level} fields need a purpose of use`;
    case 'deny-rule':
      return `DENIED by rule ${ruleId ?? '?'}`;
    case 'no-allow-rule':
      return `DENIED: no rule allows this ${level} field to this client ${purpose === undefined ? 'without a purpose' : `for ${purpose}`} (default deny)`;
  }
}

/** The decision with, for every field, its sensitivity and which rule allowed it or why it is denied. */
export function explainDecision(policy: AccessPolicy, request: PolicyRequest, decision: PolicyDecision): DecisionExplanation {
  const matched = new Map(decision.matched.map((m) => [m.coordinate, m.ruleId]));
  const denied = new Map(decision.denied.map((d) => [d.coordinate, d]));
  const seen = new Set<string>();
  const fields: FieldExplanation[] = [];
  for (const field of request.fields) {
    if (seen.has(field.coordinate) || field.parentType.startsWith('__') || field.coordinate.includes('.__')) continue;
    seen.add(field.coordinate);
    const sensitivity: SensitivityLevel | 'UNCLASSIFIED' = field.sensitivity ?? 'UNCLASSIFIED';
    const level = field.sensitivity ?? 'UNCLASSIFIED (judged as PERSONAL)';
    const refusal = denied.get(field.coordinate);
    const ruleId = refusal?.ruleId ?? matched.get(field.coordinate);
    const description = ruleId !== undefined ? policy.rule(ruleId)?.description : undefined;
    const base = { coordinate: field.coordinate, sensitivity, ...(ruleId !== undefined ? { ruleId } : {}), ...(description !== undefined ? { ruleDescription: description } : {}) };
    if (refusal !== undefined) {
      fields.push({ ...base, outcome: 'denied', reason: refusal.reason, text: deniedText(refusal.reason, level, request.purpose, refusal.ruleId) });
    } else if (ruleId !== undefined) {
      const text =
        ruleId === 'defaults'
          ? `allowed: defaults allow ${level} fields to every authenticated member client`
          : ruleId === 'public'
            ? 'allowed: a public field'
            : `allowed by rule ${ruleId}`;
      fields.push({ ...base, outcome: 'allowed', text });
    } else {
      fields.push({ ...base, outcome: 'not-evaluated', text: 'not evaluated (the decision ended at the purpose check)' });
    }
  }
  fields.sort((a, b) => (a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0));
  const purpose = request.purpose === undefined ? undefined : policy.purposes.get(request.purpose);
  const code = decision.code ?? null;
  return {
    allowed: decision.allowed,
    code,
    message: code === null ? null : { en: ERROR_CODES[code].en, ar: ERROR_CODES[code].ar },
    clientId: request.clientId ?? null,
    purpose:
      request.purpose === undefined
        ? null
        : purpose === undefined
          ? { code: request.purpose, known: false }
          : { code: purpose.code, known: true, legalBasis: purpose.legalBasis, description: purpose.description },
    ...(code === 'ERR_PURPOSE_UNKNOWN' ? { knownPurposes: [...policy.purposes.keys()] } : {}),
    operation: { type: request.operationType, name: request.operationName ?? null },
    signatureRequired: decision.signatureRequired,
    fields,
  };
}

/** The explanation as text for a terminal: verdict, who, why, and a table of the fields. */
export function renderExplanation(explanation: DecisionExplanation): string {
  const lines: string[] = [];
  if (explanation.allowed) lines.push('ALLOWED');
  else {
    lines.push(`DENIED  ${explanation.code ?? ''}`);
    if (explanation.message !== null) lines.push(`  ${explanation.message.en}`, `  ${explanation.message.ar}`);
  }
  lines.push('');
  lines.push(`client     ${explanation.clientId ?? '(none)'}`);
  const purpose = explanation.purpose;
  if (purpose === null) lines.push('purpose    (none)');
  else if (!purpose.known) {
    lines.push(`purpose    ${purpose.code} (not in the policy)`);
    if (explanation.knownPurposes !== undefined) lines.push(`           known purposes: ${explanation.knownPurposes.join(', ') || '(none)'}`);
  } else {
    lines.push(`purpose    ${purpose.code}: ${purpose.description?.en ?? ''}`);
    lines.push(`           ${purpose.description?.ar ?? ''}`);
    lines.push(`           legal basis: ${purpose.legalBasis ?? ''}`);
  }
  lines.push(`operation  ${explanation.operation.type}${explanation.operation.name !== null ? ` ${explanation.operation.name}` : ' (anonymous)'}`);
  lines.push(`signature  ${explanation.signatureRequired ? 'required (not every field is public)' : 'not required (every field is public)'}`);
  lines.push('');
  const rows = [['FIELD', 'SENSITIVITY', 'DECISION'], ...explanation.fields.map((f) => [f.coordinate, f.sensitivity, f.text])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) lines.push(`${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padEnd(widths[1] ?? 0)}  ${row[2] ?? ''}`.trimEnd());
  const denyRules = new Map(explanation.fields.filter((f) => f.reason === 'deny-rule' && f.ruleId !== undefined && f.ruleDescription !== undefined).map((f) => [f.ruleId as string, f.ruleDescription as string]));
  if (denyRules.size > 0) {
    lines.push('');
    for (const [id, description] of denyRules) lines.push(`rule ${id}: ${description}`);
  }
  return `${lines.join('\n')}\n`;
}
