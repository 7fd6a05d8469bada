/**
 * JSON Schema (draft 2020-12) of the trust list payload. `schemas/trust-list.schema.json` is this
 * object written out; a test keeps the two identical.
 */
const localized = {
  type: 'object',
  required: ['en', 'ar'],
  additionalProperties: false,
  properties: { en: { type: 'string', minLength: 1, maxLength: 200 }, ar: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const dateTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$' } as const;

export const TRUST_LIST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://gcc-interop.example/schemas/trust-list.schema.json',
  title: 'GCC trust list',
  description:
    'The list of member-state trust services (CAs, OCSP responders, timestamp authorities, gateways), modelled on ETSI TS 119 612 / TS 119 602. Signed as a JWS with x5c by the trust-list operator.',
  type: 'object',
  required: ['schemaVersion', 'schemeOperator', 'sequenceNumber', 'issued', 'nextUpdate', 'revocationPolicy', 'members'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1 },
    schemeOperator: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: localized, uri: { type: 'string', maxLength: 500 } },
    },
    sequenceNumber: { type: 'integer', minimum: 1, maximum: 9007199254740991, description: 'ETSI TS 119 612 §5.3.2 TSLSequenceNumber; strictly increasing.' },
    issued: { ...dateTime, description: 'ListIssueDateTime.' },
    nextUpdate: { ...dateTime, description: 'NextUpdate; after it plus the holder grace period the list is expired and traffic is refused.' },
    revocationPolicy: { enum: ['ocsp', 'crl', 'ocsp-then-crl'], description: 'How relying parties establish revocation status.' },
    members: {
      type: 'array',
      maxItems: 6,
      items: {
        type: 'object',
        required: ['state', 'name', 'services'],
        additionalProperties: false,
        properties: {
          state: { enum: ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'] },
          name: localized,
          services: {
            type: 'array',
            maxItems: 200,
            items: {
              type: 'object',
              required: ['id', 'type', 'name', 'certificate', 'status', 'statusHistory'],
              additionalProperties: false,
              properties: {
                id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
                type: { enum: ['ca', 'ocsp', 'tsa', 'gateway'] },
                name: localized,
                certificate: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 20000, description: 'Base64 DER X.509 certificate.' },
                url: { type: 'string', maxLength: 500, description: 'Service endpoint (OCSP, TSA, gateway).' },
                crlUrls: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 500 } },
                status: { enum: ['granted', 'suspended', 'withdrawn'] },
                statusHistory: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 100,
                  description: 'Every status the service has had, oldest first; the last one equals status.',
                  items: {
                    type: 'object',
                    required: ['status', 'from'],
                    additionalProperties: false,
                    properties: { status: { enum: ['granted', 'suspended', 'withdrawn'] }, from: dateTime, reason: { type: 'string', maxLength: 500 } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
