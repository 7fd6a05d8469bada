import type { Command } from 'commander';
import { TrustedDocuments } from '../../access/limits/trusted-documents.js';
import { isGatewayError } from '../../errors/gateway-error.js';

/** The default of `access.trustedDocuments.manifestFile` in the configuration. */
export const DEFAULT_MANIFEST_FILE = 'var/trusted-documents.json';

interface ManifestFlags {
  manifest?: string;
  json?: boolean;
}

function fail(error: unknown): void {
  process.stderr.write(`gccgw documents: ${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
  process.exitCode = 1;
}

/**
 * `gccgw documents add <file.graphql>` and `gccgw documents list`: the trusted-documents manifest
 * (Apollo persisted query manifest format) that the gateway enforces when
 * `access.trustedDocuments.mode` is `enforce`.
 */
export function registerDocumentsCommand(program: Command): void {
  const documents = program.command('documents').description('Trusted documents: the operations allowed to run when trusted-documents mode is on.');

  documents
    .command('add')
    .description(
      'Add every named operation of a .graphql file (with the fragments it uses, printed canonically) to the manifest, under the SHA-256 of its text. ' +
        'Refuses anonymous operations and a name already trusted with another text; writes the manifest atomically.',
    )
    .argument('<file>', '.graphql file with one or more named operations and their fragments')
    .option('--manifest <file>', 'the manifest to update (created if missing)', DEFAULT_MANIFEST_FILE)
    .option('--json', 'machine-readable output')
    .action(async (file: string, flags: ManifestFlags) => {
      try {
        const manifest = await TrustedDocuments.load(flags.manifest ?? DEFAULT_MANIFEST_FILE, { allowMissing: true });
        const result = await manifest.add(file);
        if (flags.json === true) {
          const brief = (d: { id: string; name: string; type: string }): Record<string, string> => ({ id: `sha256:${d.id}`, name: d.name, type: d.type });
          process.stdout.write(`${JSON.stringify({ manifest: manifest.file, added: result.added.map(brief), unchanged: result.unchanged.map(brief) }, null, 2)}\n`);
          return;
        }
        for (const d of result.added) process.stdout.write(`added      ${d.type.padEnd(12)} ${d.name}  sha256:${d.id}\n`);
        for (const d of result.unchanged) process.stdout.write(`unchanged  ${d.type.padEnd(12)} ${d.name}  sha256:${d.id}\n`);
        process.stdout.write(`${manifest.file}: ${manifest.size} trusted document(s), ${result.added.length} added\n`);
      } catch (error) {
        fail(error);
      }
    });

  documents
    .command('list')
    .description('List the trusted documents of the manifest (after checking every id against its text).')
    .option('--manifest <file>', 'the manifest to read', DEFAULT_MANIFEST_FILE)
    .option('--json', 'machine-readable output, with the operation texts')
    .action(async (flags: ManifestFlags) => {
      try {
        const manifest = await TrustedDocuments.load(flags.manifest ?? DEFAULT_MANIFEST_FILE);
        const list = manifest.list();
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(list.map((d) => ({ ...d, id: `sha256:${d.id}` })), null, 2)}\n`);
          return;
        }
        for (const d of list) process.stdout.write(`${d.type.padEnd(12)} ${d.name}  sha256:${d.id}\n`);
        process.stdout.write(`${manifest.file}: ${list.length} trusted document(s)\n`);
      } catch (error) {
        fail(error);
      }
    });
}
