import { describe, expect, it } from '@jest/globals';
import { REDACTION_MARK, redactPersonalData } from './personal-data-redaction.js';

describe('redactPersonalData', () => {
  it('removes e-mail addresses, links and phone numbers written with Latin digits', () => {
    const result = redactPersonalData('Slow today. Write to ahmed.k@example.gov.qa or call +974 5512 3456, see https://x.example/a?b=1');
    expect(result.text).toBe(`Slow today. Write to ${REDACTION_MARK} or call ${REDACTION_MARK}, see ${REDACTION_MARK}`);
    expect(result.removed).toEqual(['email', 'url', 'number']);
  });

  it('removes ID and phone numbers written with Arabic-Indic digits', () => {
    const result = redactPersonalData('رقم هويتي ٢٨٤٠١٢٣٤٥٦٧ وجوالي ۰۵۵۱۲۳۴۵۶۷ والخدمة ممتازة');
    expect(result.text).toBe(`رقم هويتي ${REDACTION_MARK} وجوالي ${REDACTION_MARK} والخدمة ممتازة`);
    expect(result.removed).toEqual(['number']);
  });

  it('removes IBANs, grouped or not', () => {
    expect(redactPersonalData('refund to QA58 DOHB 0000 1234 5678 90AB CDEF G please').text).toBe(`refund to ${REDACTION_MARK} please`);
  });

  it('keeps ordinary text, short numbers and percentages', () => {
    const text = 'The form took 3 minutes, 2 steps failed, 95% fine. الخدمة سريعة جدًا 👍';
    expect(redactPersonalData(text)).toEqual({ text, removed: [] });
  });

  it('drops control characters and bidi overrides that could hide text', () => {
    expect(redactPersonalData('ok\u202Egnp.exe\u0007 ').text).toBe('okgnp.exe');
  });
});
