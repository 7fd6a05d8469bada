/**
 * Data minimisation for free-text feedback (GDPR art. 5(1)(c) style; the GCC states' personal-data
 * laws say the same): a citizen's comment is about a service, so anything in it that looks like a
 * way to reach or identify a person is removed before it is stored. Pattern-based and therefore
 * conservative: it removes more than needed (a long reference number goes too) rather than less.
 * It cannot recognise names; channels are told (docs/operations/service-quality.md) to ask
 * citizens not to write them.
 */

export const REDACTION_MARK = '[redacted]';

/** ASCII, Arabic-Indic (U+0660..0669) and Extended Arabic-Indic (U+06F0..06F9) digits. */
const DIGIT = '[0-9\u0660-\u0669\u06F0-\u06F9]';

const PATTERNS: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: 'email', pattern: /[^\s@<>()[\]]+@[^\s@<>()[\]]+\.[^\s@<>()[\]]+/gu },
  { kind: 'url', pattern: /\b(?:https?:\/\/|www\.)\S+/giu },
  // IBAN (ISO 13616): two letters, two check digits, 11 to 30 more letters or digits, maybe in groups.
  { kind: 'iban', pattern: /\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}\b/giu },
  // Six or more digits, maybe grouped by spaces, dashes, dots or brackets: phone numbers, national
  // ID numbers (QID 11 digits, Saudi ID 10, Emirates ID 15, Bahraini CPR 9...), card and account numbers.
  { kind: 'number', pattern: new RegExp(`[+(]?${DIGIT}(?:[\\s\\-.()/]{0,2}${DIGIT}){5,}`, 'gu') },
];

export interface RedactedText {
  readonly text: string;
  /** Kinds of data removed (e.g. `email`, `number`), empty when nothing was. */
  readonly removed: readonly string[];
}

/** Removes e-mail addresses, URLs, IBANs and long digit sequences; normalises the text (NFC, no control characters). */
export function redactPersonalData(input: string): RedactedText {
  let text = input
    .normalize('NFC')
    // Control characters (except tab and newline) and bidi overrides have no place in a comment and can hide text.
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/gu, '')
    .trim();
  const removed: string[] = [];
  for (const { kind, pattern } of PATTERNS) {
    const next = text.replace(pattern, REDACTION_MARK);
    if (next !== text) removed.push(kind);
    text = next;
  }
  return { text, removed };
}
