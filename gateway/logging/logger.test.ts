import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the component and request id of child loggers', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ format: 'json', destination: stream });
    logger.child({ component: 'http' }).child({ reqId: 'r-1' }).info({ status: 200 }, 'request done');
    expect(lines()[0]).toMatchObject({ level: 'info', service: 'gccgw', component: 'http', reqId: 'r-1', status: 200, msg: 'request done' });
  });

  it('redacts credentials, signatures, variables and national IDs by fixed paths', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ format: 'json', destination: stream });
    logger.info({
      req: { headers: { authorization: 'Bearer secret-token', cookie: 'sid=1', 'x-gccgw-signature': 'eyJ..sig', accept: 'application/json' } },
      body: { variables: { nationalId: '28763400123' } },
      subject: { nationalId: '28763400123', name: 'kept' },
    });
    const line = JSON.stringify(lines()[0]);
    expect(line).not.toContain('secret-token');
    expect(line).not.toContain('sid=1');
    expect(line).not.toContain('eyJ..sig');
    expect(line).not.toContain('28763400123');
    expect(line).toContain('application/json');
    expect(line).toContain('kept');
  });

  it('respects the level', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ format: 'json', level: 'warn', destination: stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((l) => l['msg'])).toEqual(['shown']);
  });
});
