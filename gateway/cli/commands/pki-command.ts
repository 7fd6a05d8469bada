import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  derToPem,
  exportPkcs12,
  generateKeyPair,
  initDemoPki,
  isMemberState,
  isTrustError,
  issueCertificate,
  KEY_TYPES,
  loadDemoPki,
  makeIdentity,
  privateKeyPem,
  type CertificateProfile,
  type KeyType,
  type MemberState,
} from '../../../trust/index.js';

function fail(error: unknown): void {
  if (isTrustError(error)) {
    process.stderr.write(`gccgw: refused [${error.code}] ${error.message}\n        ${error.messageAr}\n`);
  } else {
    process.stderr.write(`gccgw: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface IssueFlags {
  dir: string;
  state: string;
  profile: string;
  member?: string;
  dns?: string[];
  ip?: string[];
  name?: string;
  days: string;
  keyType?: string;
  out: string;
  p12Password?: string;
  json?: boolean;
}

/** `gccgw pki init | issue`: the demo GCC PKI (DESIGN.md, "PKI tooling"). */
export function registerPkiCommand(program: Command): void {
  const pki = program.command('pki').description('Create and extend the demo GCC PKI (private keys stay on this machine, mode 0600).');

  pki
    .command('init')
    .description('Create a complete demo PKI: trust-list operator, a root and intermediate per member state, agency mTLS and signing certificates, gateway, OCSP, TSA, CRLs and a signed trust list.')
    .option('--dir <dir>', 'target directory', 'var/pki')
    .option('--force', 'overwrite an existing PKI in the directory')
    .option('--base-url <url>', 'base URL of the OCSP / CRL / TSA services written into certificates', 'http://127.0.0.1:8780')
    .option('--json', 'print the manifest as JSON')
    .action(async (flags: { dir: string; force?: boolean; baseUrl: string; json?: boolean }) => {
      try {
        const manifest = await initDemoPki({ dir: flags.dir, force: flags.force === true, baseUrl: flags.baseUrl });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
          return;
        }
        process.stdout.write(`Demo GCC PKI created in ${manifest.dir}\n`);
        process.stdout.write(`  trust list:     ${manifest.trustList.signed} (sequence ${manifest.trustList.sequenceNumber}, next update ${manifest.trustList.nextUpdate})\n`);
        process.stdout.write(`  operator anchor ${manifest.operator.rootCert}\n`);
        for (const state of Object.values(manifest.states)) {
          const ids = state.agencies.map((a) => `${a.clientId}${a.revoked ? ' (revoked)' : ''}`).join(', ');
          process.stdout.write(`  ${state.state}  root ${state.keyTypes.root}, intermediate ${state.keyTypes.intermediate}; ${ids}${state.gateway ? '; gateway' : ''}${state.tsa ? '; TSA' : ''}\n`);
        }
        process.stdout.write(`  manifest:       ${join(manifest.dir, 'manifest.json')}\n`);
      } catch (error) {
        fail(error);
      }
    });

  pki
    .command('issue')
    .description("Issue another certificate under a member state's issuing CA of an existing demo PKI.")
    .option('--dir <dir>', 'PKI directory', 'var/pki')
    .requiredOption('--state <state>', 'member state: BH, KW, OM, QA, SA or AE')
    .option('--profile <profile>', 'client | signing | server | ocsp | tsa', 'client')
    .option('--member <class:member[:subsystem]>', 'member identity, e.g. GOV:CSGDB:hr-portal (SAN URI urn:gcc:client:<STATE>:...)')
    .option('--dns <name>', 'DNS subjectAltName (repeatable)', collect)
    .option('--ip <address>', 'IP subjectAltName (repeatable)', collect)
    .option('--name <cn>', 'subject common name')
    .option('--days <n>', 'validity in days', '365')
    .option('--key-type <type>', `key type: ${KEY_TYPES.join(', ')} (default: the state's leaf key type)`)
    .requiredOption('--out <dir>', 'where to write cert.pem, key.pem and chain.pem')
    .option('--p12-password <password>', 'also write cert.p12 (RSA keys only)')
    .option('--json', 'print the written files as JSON')
    .action(async (flags: IssueFlags) => {
      try {
        const state = flags.state.toUpperCase();
        if (!isMemberState(state)) throw new Error(`Unknown member state ${flags.state}`);
        const profiles: CertificateProfile[] = ['client', 'signing', 'server', 'ocsp', 'tsa'];
        if (!profiles.includes(flags.profile as CertificateProfile)) throw new Error(`Unknown profile ${flags.profile}`);
        const days = Number(flags.days);
        if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error('--days must be 1..3650');
        const loaded = await loadDemoPki(flags.dir);
        const ca = loaded.states[state as MemberState];
        const keyType = (flags.keyType ?? loaded.manifest.states[state as MemberState].keyTypes.leaves) as KeyType;
        if (!KEY_TYPES.includes(keyType)) throw new Error(`Unknown key type ${keyType}`);
        const parts = flags.member?.split(':') ?? [];
        if (flags.member !== undefined && (parts.length < 2 || parts.length > 3)) throw new Error('--member is CLASS:MEMBER[:SUBSYSTEM]');
        const identity = flags.member ? makeIdentity(state as MemberState, parts[0] as string, parts[1] as string, parts[2]) : undefined;
        const key = await generateKeyPair(keyType);
        const now = new Date();
        const baseUrl = loaded.manifest.baseUrl;
        const cert = await issueCertificate({
          subject: `C=${state}, O=${identity?.member ?? 'GCC demo'}, CN=${flags.name ?? identity?.clientId ?? 'gccgw issued'}`,
          subjectKey: key,
          issuer: { certificate: ca.intermediate.certificate, key: ca.intermediate.key },
          profile: flags.profile as CertificateProfile,
          notBefore: new Date(now.getTime() - 300_000),
          notAfter: new Date(now.getTime() + days * 86_400_000),
          rsaScheme: ca.intermediate.key.type.startsWith('rsa') ? 'pss' : 'pkcs1',
          subjectAltNames: { ...(identity ? { uri: [identity.uri] } : {}), ...(flags.dns ? { dns: flags.dns } : {}), ...(flags.ip ? { ip: flags.ip } : {}) },
          crlUrls: [`${baseUrl}/crl/${state}-intermediate.crl`],
          ocspUrls: [`${baseUrl}/ocsp`],
        });
        const out = resolve(flags.out);
        await mkdir(out, { recursive: true, mode: 0o700 });
        const files: Record<string, string> = { cert: join(out, 'cert.pem'), key: join(out, 'key.pem'), chain: join(out, 'chain.pem') };
        await writeFile(files.cert as string, derToPem(cert.der));
        await writeFile(files.key as string, privateKeyPem(key), { mode: 0o600 });
        await writeFile(files.chain as string, derToPem(cert.der) + derToPem(ca.intermediate.certificate.der));
        if (flags.p12Password !== undefined) {
          files.p12 = join(out, 'cert.p12');
          await writeFile(files.p12, exportPkcs12({ key, certificates: [cert, ca.intermediate.certificate, ca.root.certificate], password: flags.p12Password }), { mode: 0o600 });
        }
        const result = { subject: cert.subject, serialNumber: cert.serialNumberHex, notAfter: cert.notAfter.toISOString(), clientId: identity?.clientId ?? null, files };
        process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `Issued ${cert.subject} (serial ${cert.serialNumberHex}, until ${result.notAfter})\n${Object.entries(files).map(([k, v]) => `  ${k.padEnd(5)} ${v}`).join('\n')}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
