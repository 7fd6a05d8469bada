import { TRUST_ERROR_CODES } from './trust-error-codes.js';

/** The Markdown error reference (code, retriable, English, Arabic) generated from the registry. */
export function trustErrorMarkdownTable(): string {
  const rows = Object.entries(TRUST_ERROR_CODES).map(([code, spec]) => `| \`${code}\` | ${spec.retriable ? 'yes' : 'no'} | ${spec.en} | ${spec.ar} |`);
  return ['| code | retriable | meaning | المعنى |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
