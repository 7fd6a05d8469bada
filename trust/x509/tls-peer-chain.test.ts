import { readFile } from 'node:fs/promises';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyMemberChain, type VerifiedSigner } from '../jws/verify-signature.js';
import { startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { certificatesFromTlsPeer } from './tls-peer-chain.js';

let env: DemoEnvironment;

beforeAll(async () => {
  env = await startDemoEnvironment();
});

afterAll(async () => {
  await env.close();
});

/** Mutual TLS over a real socket; both sides decide with our validator, not OpenSSL's. */
async function handshake(state: 'QA' | 'AE' | 'SA'): Promise<{ client: VerifiedSigner; server: VerifiedSigner }> {
  const qa = env.manifest().states.QA;
  const agency = env.manifest().states[state].agencies[0];
  if (!qa.gateway || !agency) throw new Error('demo PKI incomplete');
  const [serverKey, serverChain, clientKey, clientChain] = await Promise.all([qa.gateway.serverKey, qa.gateway.serverChain, agency.clientKey, agency.clientChain].map((p) => readFile(p, 'utf8')));
  let serverSide: Promise<VerifiedSigner> | undefined;
  const server = createServer({ key: serverKey, cert: serverChain, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (socket: TLSSocket) => {
    serverSide = verifyMemberChain({ certificates: certificatesFromTlsPeer(socket.getPeerCertificate(true)), trust: env.trust, purpose: 'clientAuth' });
    socket.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, key: clientKey, cert: clientChain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const clientSide = verifyMemberChain({ certificates: certificatesFromTlsPeer(socket.getPeerCertificate(true)), trust: env.trust, purpose: 'serverAuth', peerName: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('end', resolve).resume());
    socket.destroy();
    return { client: await (serverSide as Promise<VerifiedSigner>), server: await clientSide };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('mutual TLS with the demo PKI', () => {
  it.each(['QA', 'AE', 'SA'] as const)('identifies a %s agency client and the QA gateway over a real TLS 1.3 socket', async (state) => {
    const { client, server } = await handshake(state);
    expect(client.state).toBe(state);
    expect(client.identity.clientId).toBe(env.manifest().states[state].agencies[0]?.clientId);
    expect(client.chain).toHaveLength(3);
    expect(server.identity.clientId).toBe('GCC:QA:GOV:GCCGW:gateway');
  });
});
