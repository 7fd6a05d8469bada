// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill loaded first. Every module of ours that uses @peculiar/x509 imports it from here
// so the order is guaranteed.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export { x509 };
