import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pemToDer, verifyTrustList, type TrustList } from '../../../trust/index.js';

/** Where a command finds the signed trust list and the pinned operator certificate. */
export interface TrustListFlags {
  pki: string;
  trustList?: string;
  anchor?: string;
  json?: boolean;
}

export function withTrustListOptions(command: Command): Command {
  return command
    .option('--pki <dir>', 'demo PKI directory holding trust-list.jws.json and operator/root.pem', 'var/pki')
    .option('--trust-list <file>', 'signed trust list (default: <pki>/trust-list.jws.json)')
    .option('--anchor <pem>', 'pinned trust-list operator certificate (default: <pki>/operator/root.pem)')
    .option('--json', 'machine-readable output');
}

/** Loads and verifies the signed trust list against the pinned operator certificate. */
export async function loadTrustList(flags: TrustListFlags, at: Date): Promise<TrustList> {
  const signedPath = flags.trustList ?? join(flags.pki, 'trust-list.jws.json');
  const anchorPath = flags.anchor ?? join(flags.pki, 'operator', 'root.pem');
  const anchor = pemToDer(await readFile(anchorPath, 'utf8'));
  return (await verifyTrustList(await readFile(signedPath, 'utf8'), { operatorAnchors: [anchor], at })).trustList;
}
