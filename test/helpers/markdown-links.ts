import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt, { type Token } from 'markdown-it';

const md = new MarkdownIt({ html: true });

/** A link with a scheme (`https:`, `mailto:`) or protocol-relative: not checked here. */
const isExternal = (href: string): boolean =>
  /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');

/** The text GitHub builds a heading's anchor from: its inline content without markup. */
const plainText = (inline: Token): string =>
  (inline.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');

/** The `#anchors` GitHub gives a file's headings (duplicates get `-1`, `-2`, … as on GitHub). */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = md.parse(markdown, {});
  const anchors = new Set<string>();
  tokens.forEach((t, i) => {
    const inline = tokens[i + 1];
    if (t.type === 'heading_open' && inline) anchors.add(slugger.slug(plainText(inline)));
  });
  return anchors;
}

/** Every link and image target of a file, in order. */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  const visit = (tokens: Token[]): void => {
    for (const t of tokens) {
      if (t.type === 'link_open') targets.push(String(t.attrGet('href') ?? ''));
      if (t.type === 'image') targets.push(String(t.attrGet('src') ?? ''));
      if (t.children) visit(t.children);
    }
  };
  visit(md.parse(markdown, {}));
  return targets;
}

/**
 * Relative links of the given Markdown files that do not resolve: a missing file or folder, or an
 * `#anchor` that is no heading of its target. One message per broken link, paths relative to `root`.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> => {
    let found = anchorsOf.get(path);
    if (!found) {
      found = headingAnchors(readFileSync(path, 'utf8'));
      anchorsOf.set(path, found);
    }
    return found;
  };
  const problems: string[] = [];
  for (const file of files) {
    const from = resolve(root, file);
    for (const href of linkTargets(readFileSync(from, 'utf8'))) {
      if (isExternal(href)) continue;
      const hash = href.indexOf('#');
      const pathPart = decodeURIComponent(hash < 0 ? href : href.slice(0, hash));
      const anchor = hash < 0 ? undefined : decodeURIComponent(href.slice(hash + 1));
      const target = pathPart === '' ? from : resolve(dirname(from), pathPart);
      const shown = relative(root, target) || '.';
      if (!existsSync(target)) {
        problems.push(`${file}: ${href}: no file or folder ${shown}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(target).isDirectory() || !target.endsWith('.md')) {
        problems.push(`${file}: ${href}: ${shown} is not a Markdown file, so it has no #${anchor}`);
      } else if (!anchors(target).has(anchor)) {
        problems.push(`${file}: ${href}: no heading #${anchor} in ${shown}`);
      }
    }
  }
  return problems;
}
