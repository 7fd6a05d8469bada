/**
 * The SDL descriptions are bilingual by convention (schemas/README.md): either one line
 * `English / العربية`, or English lines followed by Arabic lines. This splits them so each
 * language's page shows its own text.
 */
export interface BilingualText {
  readonly en: string;
  readonly ar: string;
}

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;

export function hasArabic(text: string): boolean {
  return ARABIC.test(text);
}

/**
 * Splits a description into its English and Arabic parts. A language that is missing falls back to
 * the whole text, so nothing is ever lost.
 */
export function splitBilingual(description: string | undefined | null): BilingualText {
  const text = (description ?? '').trim();
  if (text === '') return { en: '', ar: '' };
  const en: string[] = [];
  const ar: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!hasArabic(line)) {
      en.push(line);
      continue;
    }
    const slash = findLanguageSlash(line);
    if (slash >= 0) {
      en.push(line.slice(0, slash).trim());
      ar.push(line.slice(slash + 3).trim());
    } else {
      ar.push(line);
    }
  }
  const enText = en.join(' ');
  const arText = ar.join(' ');
  return { en: enText !== '' ? enText : text, ar: arText !== '' ? arText : text };
}

/** The ` / ` that separates a Latin left part from an Arabic right part, or -1. */
function findLanguageSlash(line: string): number {
  let from = 0;
  for (;;) {
    const at = line.indexOf(' / ', from);
    if (at < 0) return -1;
    if (!hasArabic(line.slice(0, at)) && hasArabic(line.slice(at + 3))) return at;
    from = at + 3;
  }
}
