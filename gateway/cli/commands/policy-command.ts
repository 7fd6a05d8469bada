import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode } from 'graphql';
import { readFieldSensitivities } from '../../../adapters/kit/index.js';
import { packageRoot, supergraphPath } from '../../../schemas/schema-files.js';
import { AccessPolicy, type PolicySchema } from '../../access/policy/access-policy.js';
import { clientIdParts } from '../../access/policy/client-pattern.js';
import { explainDecision, renderExplanation } from '../../access/policy/explain-decision.js';
import { parsePolicyText, type PolicyDocument, type PolicyProblem } from '../../access/policy/policy-document.js';
import { touchedFields } from '../../access/policy/touched-fields.js';
import { apiSchemaFromSupergraph } from '../../docs-site/api-schema.js';

/** Exit code of `policy explain` when the policy denies the operation (0 allowed, 1 bad input). */
export const EXIT_DENIED = 3;

/** The configured default (`access.policyFile`) relative to the working directory, else the shipped demo policy. */
function defaultPolicyFile(): string {
  const local = resolve('config', 'access-policy.yaml');
  return existsSync(local) ? local : join(packageRoot(), 'config', 'access-policy.yaml');
}

function loadSchema(file: string | undefined): PolicySchema {
  const path = file ?? supergraphPath();
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new Error(`cannot read the supergraph ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return { schema: apiSchemaFromSupergraph(sdl), sensitivities: readFieldSensitivities(sdl) };
  } catch (cause) {
    throw new Error(`${path} is not a valid supergraph or schema: ${(cause as Error).message}`, { cause });
  }
}

/** Reads and checks a policy file; `policy` is undefined when it has errors. */
function checkFile(file: string, against: PolicySchema): { policy: AccessPolicy | undefined; problems: PolicyProblem[]; document: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    return { policy: undefined, document: undefined, problems: [{ severity: 'error', path: '(document)', message: `cannot read ${file}: ${(cause as Error).message}` }] };
  }
  let document: unknown;
  try {
    document = parsePolicyText(text, file);
  } catch (cause) {
    return { policy: undefined, document: undefined, problems: [{ severity: 'error', path: '(document)', message: (cause as Error).message }] };
  }
  return { ...AccessPolicy.check(document, against), document };
}

function formatProblem(problem: PolicyProblem): string {
  return `${problem.severity === 'error' ? 'ERROR  ' : 'WARNING'}  ${problem.path}: ${problem.message}`;
}

function fail(command: string, message: string): void {
  process.stderr.write(`gccgw policy ${command}: ${message}\n`);
  process.exitCode = 1;
}

interface CheckFlags {
  supergraph?: string;
  json?: boolean;
}

interface ExplainFlags {
  client: string;
  purpose?: string;
  query: string;
  operationName?: string;
  policy?: string;
  supergraph?: string;
  json?: boolean;
}

/** `gccgw policy check|explain`: the security team's view of the access policy. */
export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('Check an access policy document and explain its decisions.');

  policy
    .command('check')
    .description(
      'Validate an access policy (YAML or JSON) against schemas/policy.schema.json and the supergraph. Errors: schema violations, ' +
        'field patterns and types that match nothing, public patterns that match PERSONAL or FINANCIAL fields. Warnings: rules that can ' +
        'never match or add nothing. Every message names its place in the document, e.g. rules[3].clients[0]. Exit 0 when there is no error, 1 otherwise.',
    )
    .argument('<file>', 'the policy document, e.g. config/access-policy.yaml')
    .option('--supergraph <file>', 'supergraph (or plain SDL) to check against (default: the committed schemas/supergraph.graphql)')
    .option('--json', 'print the result as JSON')
    .action((file: string, flags: CheckFlags) => {
      let against: PolicySchema;
      try {
        against = loadSchema(flags.supergraph);
      } catch (error) {
        fail('check', (error as Error).message);
        return;
      }
      const { policy: loaded, problems, document } = checkFile(file, against);
      const errors = problems.filter((p) => p.severity === 'error').length;
      const warnings = problems.length - errors;
      const doc = loaded !== undefined ? (document as PolicyDocument) : undefined;
      const summary = doc === undefined ? null : { purposes: doc.purposes.length, rules: doc.rules?.length ?? 0, public: doc.public?.length ?? 0, clientLimits: doc.clients?.length ?? 0 };
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ ok: errors === 0, file, errors, warnings, problems, summary }, null, 2)}\n`);
      } else {
        for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
        const counts = `${errors} error(s), ${warnings} warning(s)`;
        process.stdout.write(
          summary === null
            ? `INVALID  ${file}: ${counts}\n`
            : `OK  ${file}: ${summary.purposes} purposes, ${summary.rules} rules, ${summary.public} public field patterns, ${summary.clientLimits} client limit entries; ${counts}\n`,
        );
      }
      if (errors > 0) process.exitCode = 1;
    });

  policy
    .command('explain')
    .description(
      'Decide as the gateway would whether a client may run an operation, and say why: the verdict, the purpose and its legal basis, ' +
        'whether a request signature is needed, and per field its sensitivity and the rule that allows it or why it is denied. ' +
        `Exit 0 when allowed, ${EXIT_DENIED} when denied (ERR_POLICY_DENIED, ERR_PURPOSE_REQUIRED or ERR_PURPOSE_UNKNOWN), 1 on bad input.`,
    )
    .requiredOption('--client <clientId>', 'the calling ClientId, e.g. GCC:SA:GOV:MHRSD:hr-verify')
    .option('--purpose <code>', 'the purpose of use, e.g. PENSION_PROTECTION')
    .requiredOption('--query <file>', 'the GraphQL document (.graphql)')
    .option('--operation-name <name>', 'which operation of the document, when it has several')
    .option('--policy <file>', 'the policy document (default: config/access-policy.yaml here, else the demo policy shipped with the gateway)')
    .option('--supergraph <file>', 'supergraph SDL (default: the committed schemas/supergraph.graphql)')
    .option('--json', 'print the explanation as JSON')
    .action((flags: ExplainFlags) => {
      if (clientIdParts(flags.client) === undefined) {
        fail('explain', `--client ${flags.client} is not a ClientId (GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>], e.g. GCC:QA:GOV:CSGDB:hr-portal)`);
        return;
      }
      let against: PolicySchema;
      try {
        against = loadSchema(flags.supergraph);
      } catch (error) {
        fail('explain', (error as Error).message);
        return;
      }
      const policyFile = flags.policy ?? defaultPolicyFile();
      const { policy: loaded, problems } = checkFile(policyFile, against);
      if (loaded === undefined) {
        fail('explain', `the policy ${policyFile} has errors (run gccgw policy check):\n${problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n')}`);
        return;
      }
      let document: DocumentNode;
      try {
        document = parse(readFileSync(flags.query, 'utf8'));
      } catch (error) {
        const where = error instanceof GraphQLError && error.locations?.[0] !== undefined ? ` (line ${error.locations[0].line}, column ${error.locations[0].column})` : '';
        fail('explain', `cannot read the query ${flags.query}: ${(error as Error).message.split('\n')[0]}${where}`);
        return;
      }
      const invalid = validate(against.schema, document);
      if (invalid.length > 0) {
        fail('explain', `the query is not valid against the schema:\n${invalid.map((e) => `  ${e.message}`).join('\n')}`);
        return;
      }
      const operation = getOperationAST(document, flags.operationName);
      if (operation === null || operation === undefined) {
        fail('explain', flags.operationName !== undefined ? `the document has no operation named ${flags.operationName}` : 'the document has several operations: name one with --operation-name');
        return;
      }
      const request = {
        clientId: flags.client,
        purpose: flags.purpose,
        operationType: operation.operation,
        operationName: operation.name?.value,
        fields: touchedFields(against.schema, document, against.sensitivities, operation.name?.value),
      };
      const explanation = explainDecision(loaded, request, loaded.decide(request));
      process.stdout.write(flags.json === true ? `${JSON.stringify({ policyFile, ...explanation }, null, 2)}\n` : renderExplanation(explanation));
      process.exitCode = explanation.allowed ? 0 : EXIT_DENIED;
    });
}
