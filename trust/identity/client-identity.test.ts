import { beforeAll, describe, expect, it } from '@jest/globals';
import { standardChain, type Issued } from '../testing/chain-factory.js';
import { identityFromCertificate, parseClientId, parseClientUri } from './client-identity.js';
import { code } from '../testing/trust-error-code.js';


let withIdentity: Issued;
let withoutIdentity: Issued;
let twoIdentities: Issued;

beforeAll(async () => {
  withIdentity = (await standardChain()).leaf;
  withoutIdentity = (await standardChain({ subjectAltNames: { dns: ['portal.gov.qa'], uri: ['https://portal.gov.qa'] } })).leaf;
  twoIdentities = (await standardChain({ subjectAltNames: { uri: ['urn:gcc:client:QA:GOV:CSGDB:hr-portal', 'urn:gcc:client:QA:GOV:MOF:payroll'] } })).leaf;
});

describe('member identities', () => {
  it('maps the SAN URI to a ClientId when the anchor is listed under the same state', () => {
    expect(identityFromCertificate(withIdentity.cert, 'QA')).toMatchObject({ clientId: 'GCC:QA:GOV:CSGDB:hr-portal', state: 'QA', memberClass: 'GOV', member: 'CSGDB', subsystem: 'hr-portal' });
  });

  it("refuses an identity of another state than the anchor's", () => {
    expect(code(() => identityFromCertificate(withIdentity.cert, 'SA'))).toBe('ERR_TRUST_IDENTITY_STATE_MISMATCH');
  });

  it('refuses a certificate without a urn:gcc:client URI, or with two', () => {
    expect(code(() => identityFromCertificate(withoutIdentity.cert, 'QA'))).toBe('ERR_TRUST_IDENTITY_MISSING');
    expect(code(() => identityFromCertificate(twoIdentities.cert, 'QA'))).toBe('ERR_TRUST_IDENTITY_MISSING');
  });

  it('parses and rejects identifiers strictly', () => {
    expect(parseClientUri('urn:gcc:client:AE:GOV:FAHR')?.clientId).toBe('GCC:AE:GOV:FAHR');
    expect(parseClientId('GCC:KW:GOV:CSC:hr-portal')?.uri).toBe('urn:gcc:client:KW:GOV:CSC:hr-portal');
    for (const bad of ['urn:gcc:client:XX:GOV:A', 'urn:gcc:client:QA:GOV', 'urn:gcc:client:QA:GOV:A:b:c', 'urn:gcc:client:QA:GOV:a b', 'urn:other:QA:GOV:A']) {
      expect(parseClientUri(bad)).toBeUndefined();
    }
  });
});
