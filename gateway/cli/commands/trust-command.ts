import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  assertTrustListDocument,
  isMemberState,
  isTrustError,
  keyPairFromPem,
  parseCertificate,
  pemToDer,
  pemToDerList,
  RevocationChecker,
  signTrustList,
  statusAt,
  systemClock,
  verifyMemberChain,
  type CertificatePurpose,
  type ParsedCertificate,
  type RevocationPolicy,
  type ServiceStatus,
  type ServiceType,
  type TrustListDocument,
  type TrustService,
  globalFetch,
} from '../../../trust/index.js';
import { loadTrustList, withTrustListOptions as common, type TrustListFlags as CommonFlags } from './trust-material.js';



function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Refusals always say the code and the reason, in English and Arabic (or as JSON for scripts). */
function refuse(error: unknown, json: boolean | undefined): void {
  process.exitCode = 1;
  if (isTrustError(error)) {
    if (json) out(JSON.stringify({ ok: false, code: error.code, message: error.message, messageAr: error.messageAr, certIndex: error.certIndex ?? null }, null, 2));
    else out(`REFUSED  ${error.code}${error.certIndex === undefined ? '' : ` (certificate #${error.certIndex})`}\n  ${error.message}\n  ${error.messageAr}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) out(JSON.stringify({ ok: false, code: null, message }, null, 2));
  else process.stderr.write(`gccgw: ${message}\n`);
}

function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function parseTime(text: string | undefined): Date {
  if (text === undefined) return systemClock.now();
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`Not a time: ${text}`);
  return at;
}

function parseDuration(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text);
  if (!match) throw new Error(`Not a duration (like 30d, 12h, 45m): ${text}`);
  const unit = match[2] === 'd' ? 86_400_000 : match[2] === 'h' ? 3_600_000 : 60_000;
  return Number(match[1]) * unit;
}

function documentPath(flags: CommonFlags & { document?: string }): string {
  return flags.document ?? join(flags.pki, 'trust-list.json');
}

async function readDocument(path: string): Promise<TrustListDocument> {
  const doc = JSON.parse(await readFile(path, 'utf8')) as unknown;
  assertTrustListDocument(doc);
  return doc;
}

async function changeStatus(flags: CommonFlags & { document?: string; at?: string; reason?: string }, id: string, status: ServiceStatus): Promise<void> {
  const path = documentPath(flags);
  const doc = await readDocument(path);
  const at = parseTime(flags.at);
  let found: TrustService | undefined;
  const members = doc.members.map((m) => ({
    ...m,
    services: m.services.map((s) => {
      if (s.id !== id) return s;
      const last = s.statusHistory[s.statusHistory.length - 1];
      if (last && Date.parse(last.from) > at.getTime()) throw new Error(`A later status change (${last.from}) already exists for ${id}`);
      found = { ...s, status, statusHistory: [...s.statusHistory, { status, from: at.toISOString(), ...(flags.reason ? { reason: flags.reason } : {}) }] };
      return found;
    }),
  }));
  if (!found) throw new Error(`No service with id ${id} in ${path}`);
  const next = { ...doc, members };
  assertTrustListDocument(next);
  await writeFile(path, `${JSON.stringify(next, null, 2)}\n`);
  out(flags.json ? JSON.stringify({ ok: true, id, status, from: at.toISOString(), document: path }) : `${id}: ${status} from ${at.toISOString()} (in ${path}; run \`gccgw trust sign\` to publish)`);
}

/** `gccgw trust ...`: the security team's view of the trust list, chains and revocation. */
export function registerTrustCommand(program: Command): void {
  const trust = program.command('trust').description('Inspect and edit the GCC trust list, check chains and revocation.');

  common(trust.command('show').description('Verify the signed trust list and show its services and their status.'))
    .option('--at <time>', 'show status at this time (ISO 8601)')
    .action(async (flags: CommonFlags & { at?: string }) => {
      try {
        const at = parseTime(flags.at);
        const list = await loadTrustList(flags, at);
        const doc = list.document;
        const expired = at.getTime() > list.nextUpdate.getTime();
        const services = list.services.map((s) => ({
          state: s.state, id: s.service.id, type: s.service.type, status: statusAt(s.service, at) ?? 'not-yet-listed',
          subject: s.certificate.subject, notAfter: s.certificate.notAfter.toISOString(), url: s.service.url ?? null,
        }));
        if (flags.json) {
          out(JSON.stringify({ ok: true, sequenceNumber: doc.sequenceNumber, issued: doc.issued, nextUpdate: doc.nextUpdate, expired, revocationPolicy: doc.revocationPolicy, operator: doc.schemeOperator.name, services }, null, 2));
          return;
        }
        out(`Trust list #${doc.sequenceNumber} by ${doc.schemeOperator.name.en}\n  issued ${doc.issued}, next update ${doc.nextUpdate}${expired ? '  ** PAST NEXT UPDATE **' : ''}, revocation policy ${doc.revocationPolicy}\n`);
        out(table([['STATE', 'ID', 'TYPE', 'STATUS', 'NOT AFTER', 'SUBJECT'], ...services.map((s) => [s.state, s.id, s.type, s.status, s.notAfter.slice(0, 10), s.subject])]));
      } catch (error) {
        refuse(error, flags.json);
      }
    });

  common(trust.command('verify-chain').description('Validate a PEM chain (end entity first) against the trust list and show the member identity.'))
    .argument('<pem>', 'PEM file: end-entity certificate followed by intermediates')
    .option('--at <time>', 'validation time (ISO 8601)', undefined)
    .option('--purpose <purpose>', 'clientAuth | serverAuth | signing | ocspSigning | timeStamping', 'clientAuth')
    .option('--peer <name>', 'expected DNS name, IP address or email (RFC 6125)')
    .option('--revocation', 'also check revocation (OCSP / CRL from the certificates)')
    .action(async (pem: string, flags: CommonFlags & { at?: string; purpose: string; peer?: string; revocation?: boolean }) => {
      try {
        const at = parseTime(flags.at);
        const list = await loadTrustList(flags, systemClock.now());
        const certificates = pemToDerList(await readFile(pem, 'utf8')).map(parseCertificate);
        const revocation = flags.revocation ? new RevocationChecker({ fetch: globalFetch }) : 'none';
        const signer = await verifyMemberChain({
          certificates, purpose: flags.purpose as CertificatePurpose, trust: { trustList: () => list, revocation },
          ...(flags.at ? { at } : {}), ...(flags.peer ? { peerName: flags.peer } : {}),
        });
        const chain = signer.chain.map((c, i) => ({ index: i, subject: c.subject, issuer: c.issuer, notAfter: c.notAfter.toISOString(), fingerprint: c.fingerprint }));
        if (flags.json) {
          out(JSON.stringify({ ok: true, clientId: signer.identity.clientId, state: signer.state, revocationChecked: flags.revocation === true, chain }, null, 2));
          return;
        }
        out(`ACCEPTED  ${signer.identity.clientId} (anchor listed under ${signer.state}; purpose ${flags.purpose}; at ${at.toISOString()}${flags.revocation ? '; revocation checked' : '; revocation not checked'})`);
        out(table([['#', 'SUBJECT', 'NOT AFTER'], ...chain.map((c) => [String(c.index), c.subject, c.notAfter])]));
      } catch (error) {
        refuse(error, flags.json);
      }
    });

  common(trust.command('check-revocation').description('Check the revocation status of a PEM chain (end entity first, then its issuers).'))
    .argument('<pem>', 'PEM file: certificate followed by its issuer (and further issuers)')
    .option('--policy <policy>', 'ocsp | crl | ocsp-then-crl (default: the trust list policy)')
    .option('--ocsp-url <url>', 'ask this OCSP responder instead of the certificate AIA')
    .option('--crl-url <url>', 'fetch this CRL instead of the certificate distribution points')
    .action(async (pem: string, flags: CommonFlags & { policy?: string; ocspUrl?: string; crlUrl?: string }) => {
      try {
        const list = await loadTrustList(flags, systemClock.now());
        const certificates = pemToDerList(await readFile(pem, 'utf8')).map(parseCertificate);
        if (certificates.length < 2) throw new Error('The PEM file must hold the certificate and its issuer');
        const policy = (flags.policy ?? list.revocationPolicy) as RevocationPolicy;
        if (!['ocsp', 'crl', 'ocsp-then-crl'].includes(policy)) throw new Error(`Unknown policy ${policy}`);
        const checker = new RevocationChecker({
          fetch: globalFetch, policy,
          trustedResponders: () => list.servicesOfType('ocsp').map((s) => s.certificate),
          ...(flags.ocspUrl ? { ocspUrlsFor: () => [flags.ocspUrl as string] } : {}),
          ...(flags.crlUrl ? { crlUrlsFor: () => [flags.crlUrl as string] } : {}),
        });
        const chain: ParsedCertificate[] = certificates;
        const results = await checker.checkChain({ chain, policy });
        if (flags.json) {
          out(JSON.stringify({ ok: true, policy, results: results.map((r) => ({ certIndex: r.certIndex, subject: chain[r.certIndex]?.subject, status: r.status, source: r.source })) }, null, 2));
          return;
        }
        out(`GOOD  (policy ${policy})`);
        out(table([['#', 'STATUS', 'SOURCE', 'SUBJECT'], ...results.map((r) => [String(r.certIndex), r.status, r.source, chain[r.certIndex]?.subject ?? ''])]));
      } catch (error) {
        refuse(error, flags.json);
      }
    });

  common(trust.command('add-ca').description('Add a certificate as a service (default: a CA) of a member state to the unsigned trust-list document.'))
    .argument('<pem>', 'certificate to add')
    .requiredOption('--state <state>', 'BH, KW, OM, QA, SA or AE')
    .requiredOption('--id <id>', 'service id, e.g. qa-root-ca-2')
    .option('--type <type>', 'ca | ocsp | tsa | gateway', 'ca')
    .option('--name-en <name>', 'English name')
    .option('--name-ar <name>', 'Arabic name')
    .option('--url <url>', 'service URL (OCSP, TSA, gateway)')
    .option('--document <file>', 'unsigned trust-list document (default: <pki>/trust-list.json)')
    .option('--at <time>', 'granted from (ISO 8601, default now)')
    .action(async (pem: string, flags: CommonFlags & { state: string; id: string; type: string; nameEn?: string; nameAr?: string; url?: string; document?: string; at?: string }) => {
      try {
        const state = flags.state.toUpperCase();
        if (!isMemberState(state)) throw new Error(`Unknown member state ${flags.state}`);
        const cert = parseCertificate(pemToDer(await readFile(pem, 'utf8')));
        if (flags.type === 'ca' && !cert.basicConstraints?.cA) throw new Error('The certificate is not a CA certificate');
        const path = documentPath(flags);
        const doc = await readDocument(path);
        const from = parseTime(flags.at).toISOString();
        const service: TrustService = {
          id: flags.id, type: flags.type as ServiceType,
          name: { en: flags.nameEn ?? cert.subject, ar: flags.nameAr ?? flags.nameEn ?? cert.subject },
          certificate: Buffer.from(cert.der).toString('base64'),
          ...(flags.url ? { url: flags.url } : {}), ...(cert.crlDistributionUrls.length ? { crlUrls: [...cert.crlDistributionUrls] } : {}),
          status: 'granted', statusHistory: [{ status: 'granted', from }],
        };
        const member = doc.members.find((m) => m.state === state);
        const members = member
          ? doc.members.map((m) => (m.state === state ? { ...m, services: [...m.services, service] } : m))
          : [...doc.members, { state, name: { en: state, ar: state }, services: [service] }];
        const next = { ...doc, members };
        assertTrustListDocument(next);
        await writeFile(path, `${JSON.stringify(next, null, 2)}\n`);
        out(flags.json ? JSON.stringify({ ok: true, id: flags.id, state, fingerprint: cert.fingerprint, document: path }) : `Added ${flags.type} ${flags.id} (${cert.subject}, SHA-256 ${cert.fingerprint}) under ${state} in ${path}; run \`gccgw trust sign\` to publish`);
      } catch (error) {
        refuse(error, flags.json);
      }
    });

  for (const [name, status, description] of [
    ['suspend', 'suspended', 'Suspend a service from a time on (it vouches for nothing signed after it).'],
    ['withdraw', 'withdrawn', 'Withdraw a service from a time on (evidence signed before stays valid).'],
    ['reinstate', 'granted', 'Grant a suspended service again from a time on.'],
  ] as const) {
    common(trust.command(name).description(description))
      .argument('<id>', 'service id')
      .option('--at <time>', 'effective time (ISO 8601, default now)')
      .option('--reason <text>', 'reason recorded in the status history')
      .option('--document <file>', 'unsigned trust-list document (default: <pki>/trust-list.json)')
      .action(async (id: string, flags: CommonFlags & { at?: string; reason?: string; document?: string }) => {
        try {
          await changeStatus(flags, id, status);
        } catch (error) {
          refuse(error, flags.json);
        }
      });
  }

  common(trust.command('sign').description('Bump the sequence number, set issue and next-update times, and sign the trust-list document as the operator.'))
    .option('--document <file>', 'unsigned trust-list document (default: <pki>/trust-list.json)')
    .option('--key <pem>', 'operator signing key (default: <pki>/operator/signer.key)')
    .option('--cert <pem>', 'operator signing certificate (default: <pki>/operator/signer.pem)')
    .option('--out <file>', 'signed output (default: <pki>/trust-list.jws.json)')
    .option('--next-update-days <days>', 'days until nextUpdate', '30')
    .action(async (flags: CommonFlags & { document?: string; key?: string; cert?: string; out?: string; nextUpdateDays: string }) => {
      try {
        const path = documentPath(flags);
        const doc = await readDocument(path);
        const days = Number(flags.nextUpdateDays);
        if (!Number.isFinite(days) || days <= 0 || days > 366) throw new Error('--next-update-days must be 1..366');
        const now = systemClock.now();
        const next: TrustListDocument = { ...doc, sequenceNumber: doc.sequenceNumber + 1, issued: now.toISOString(), nextUpdate: new Date(now.getTime() + days * 86_400_000).toISOString() };
        const key = keyPairFromPem(await readFile(flags.key ?? join(flags.pki, 'operator', 'signer.key'), 'utf8'));
        const certs = pemToDerList(await readFile(flags.cert ?? join(flags.pki, 'operator', 'signer.pem'), 'utf8')).map(parseCertificate);
        const signed = await signTrustList({ document: next, privateKey: key.privateKey, certificates: certs, signingTime: now });
        const target = flags.out ?? join(flags.pki, 'trust-list.jws.json');
        await writeFile(path, `${JSON.stringify(next, null, 2)}\n`);
        await writeFile(target, signed);
        out(flags.json ? JSON.stringify({ ok: true, sequenceNumber: next.sequenceNumber, nextUpdate: next.nextUpdate, signed: target }) : `Signed trust list #${next.sequenceNumber} (next update ${next.nextUpdate}) -> ${target}`);
      } catch (error) {
        refuse(error, flags.json);
      }
    });

  common(trust.command('expiring').description('List trust-list certificates that expire within a period.'))
    .requiredOption('--within <duration>', 'period such as 30d, 12h', '30d')
    .action(async (flags: CommonFlags & { within: string }) => {
      try {
        const now = systemClock.now();
        const horizon = now.getTime() + parseDuration(flags.within);
        const list = await loadTrustList(flags, now);
        const rows = list.services
          .filter((s) => s.certificate.notAfter.getTime() <= horizon)
          .sort((a, b) => a.certificate.notAfter.getTime() - b.certificate.notAfter.getTime())
          .map((s) => ({ state: s.state, id: s.service.id, type: s.service.type, notAfter: s.certificate.notAfter.toISOString(), daysLeft: Math.floor((s.certificate.notAfter.getTime() - now.getTime()) / 86_400_000), subject: s.certificate.subject }));
        const listExpires = list.nextUpdate.getTime() <= horizon;
        if (flags.json) {
          out(JSON.stringify({ ok: true, within: flags.within, trustListNextUpdate: list.nextUpdate.toISOString(), trustListDue: listExpires, certificates: rows }, null, 2));
          return;
        }
        if (listExpires) out(`The trust list itself is due: next update ${list.nextUpdate.toISOString()}`);
        out(rows.length === 0 ? `Nothing expires within ${flags.within}.` : table([['STATE', 'ID', 'TYPE', 'NOT AFTER', 'DAYS', 'SUBJECT'], ...rows.map((r) => [r.state, r.id, r.type, r.notAfter, String(r.daysLeft), r.subject])]));
      } catch (error) {
        refuse(error, flags.json);
      }
    });
}
