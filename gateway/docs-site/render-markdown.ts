import { posix } from 'node:path';
import { Marked, type Tokens } from 'marked';
import { escapeHtml, relativeHref } from './page-layout.js';

export interface MarkdownContext {
  /** Repository-relative path of the Markdown source, e.g. `docs/guides/first-query.md`. */
  readonly sourcePath: string;
  /** Site-relative path of the page being rendered. */
  readonly pagePath: string;
  /** Repository-relative Markdown path -> site-relative page path, for rewriting links between pages. */
  readonly pageForSource: (repoPath: string) => string | undefined;
}

/** Heading ids that survive both scripts: letters of any language, digits and dashes. */
export function headingId(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

/**
 * Renders one of our Markdown documents (trusted input from docs/) to HTML. Relative links to other
 * Markdown pages become links to their site pages, `site:<path>` links point at generated pages
 * (`site:schema/Query.html`) in the page's language; relative links to anything else in the
 * repository (source files) are shown as code, since the site does not serve the repository.
 */
export function renderMarkdown(markdown: string, context: MarkdownContext): string {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      heading(this: { parser: { parseInline: (tokens: Tokens.Heading['tokens']) => string } }, token: Tokens.Heading): string {
        const inner = this.parser.parseInline(token.tokens);
        return `<h${token.depth} id="${escapeHtml(headingId(token.text))}">${inner}</h${token.depth}>\n`;
      },
      link(this: { parser: { parseInline: (tokens: Tokens.Link['tokens']) => string } }, token: Tokens.Link): string {
        const inner = this.parser.parseInline(token.tokens);
        const href = token.href;
        if (/^(https?:|mailto:)/i.test(href) || href.startsWith('#')) {
          return `<a href="${escapeHtml(href)}">${inner}</a>`;
        }
        if (href.startsWith('site:')) {
          // A generated page (schema reference, error codes, events), in the page's own language.
          const language = context.pagePath.split('/')[0] ?? 'en';
          return `<a href="${escapeHtml(relativeHref(context.pagePath, `${language}/${href.slice('site:'.length)}`))}">${inner}</a>`;
        }
        const [target = '', anchor] = href.split('#', 2);
        const repoPath = posix.normalize(posix.join(posix.dirname(context.sourcePath), target));
        const page = context.pageForSource(repoPath);
        if (page !== undefined) {
          return `<a href="${escapeHtml(relativeHref(context.pagePath, page))}${anchor !== undefined ? `#${escapeHtml(anchor)}` : ''}">${inner}</a>`;
        }
        // A file of the repository (source code, config): name it, since the site cannot serve it.
        return `${inner} <span class="muted">(<code>${escapeHtml(repoPath)}</code>)</span>`;
      },
      code(token: Tokens.Code): string {
        const lang = (token.lang ?? '').split(/\s/)[0] ?? '';
        return `<pre dir="ltr"><code${lang !== '' ? ` class="language-${escapeHtml(lang)}"` : ''}>${escapeHtml(token.text)}</code></pre>\n`;
      },
    },
  });
  return marked.parse(markdown) as string;
}

/** The first `# ` heading of a Markdown document, or undefined. */
export function markdownTitle(markdown: string): string | undefined {
  const match = /^#\s+(.+)$/m.exec(markdown);
  // Inline code marks are dropped: titles are shown as plain text (navigation, <title>).
  return match?.[1]?.replace(/`/g, '').trim();
}
