import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { trustErrorMarkdownTable } from './trust-error-table.js';

describe('docs/security/trust.md error reference', () => {
  it('matches the error registry', async () => {
    const doc = await readFile(new URL('../../docs/security/trust.md', import.meta.url), 'utf8');
    const match = /<!-- trust-error-codes:begin -->\n([\s\S]*?)\n<!-- trust-error-codes:end -->/.exec(doc);
    expect(match?.[1]).toBe(trustErrorMarkdownTable());
  });
});
