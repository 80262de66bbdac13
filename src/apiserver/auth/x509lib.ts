// The one place that loads @peculiar/x509: its dependency tsyringe needs the Reflect metadata API,
// which the reflect-metadata package provides and must be loaded first; the library also needs a
// WebCrypto provider, which Node supplies as globalThis.crypto.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
