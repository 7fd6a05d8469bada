import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { packageRoot, supergraphPath } from '../../schemas/schema-files.js';
import { buildDocsSite } from './build-docs-site.js';
import { loadTrustErrorCodes } from './load-trust-error-codes.js';

/**
 * Writes the docs site to a directory (default docs/site/). Used by `npm run docs`; the gateway
 * builds the same pages in memory for /docs.
 * @returns the number of files written
 */
export async function generateDocs(options: { outDir?: string; supergraphFile?: string } = {}): Promise<number> {
  const rootDir = packageRoot();
  const outDir = resolve(options.outDir ?? join(rootDir, 'docs', 'site'));
  const site = buildDocsSite({
    supergraphSdl: readFileSync(options.supergraphFile ?? supergraphPath(), 'utf8'),
    rootDir,
    trustErrorCodes: await loadTrustErrorCodes(),
  });
  // Replace a previous build, but never wipe a directory that is not one.
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!existsSync(join(outDir, 'en', 'index.html'))) throw new Error(`${outDir} exists and is not a docs build; refusing to overwrite it`);
    rmSync(outDir, { recursive: true, force: true });
  }
  for (const [path, body] of site) {
    const file = join(outDir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
  return site.size;
}

// `node dist/gateway/docs-site/generate-docs.js [outDir]` (npm run docs)
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateDocs(process.argv[2] !== undefined ? { outDir: process.argv[2] } : {}).then(
    (count) => process.stdout.write(`docs: wrote ${count} files to ${process.argv[2] ?? 'docs/site/'}\n`),
    (error: unknown) => {
      process.stderr.write(`docs: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
