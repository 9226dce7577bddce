/** Certificates for serving the reference server over HTTPS: from files, or a fresh self-signed one (selfsigned). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** Reads a PEM certificate and key named on the command line (relative to the working directory). */
export function readTls(certFile: string, keyFile: string): TlsMaterial {
  const read = (option: string, file: string): string => {
    try {
      return readFileSync(path.resolve(file), 'utf8');
    } catch (error) {
      throw new Error(`${option} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const cert = read('--tls-cert', certFile);
  const key = read('--tls-key', keyFile);
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--tls-cert ${certFile}: not a PEM certificate`);
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(key)) throw new Error(`--tls-key ${keyFile}: not a PEM private key`);
  return { cert, key };
}

/**
 * A self-signed certificate for localhost, 127.0.0.1, ::1 and `host`, valid 30 days; the certificate (not the key) is
 * written to a fresh temporary folder so a client can trust it, and its path returned.
 */
export async function selfSignedTls(host: string): Promise<TlsMaterial & { certFile: string }> {
  const names: { type: 2 | 7; value?: string; ip?: string }[] = [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }];
  if (/^[0-9.]+$|:/.test(host)) {
    if (host !== '127.0.0.1' && host !== '::1') names.push({ type: 7, ip: host });
  } else if (host !== 'localhost') {
    names.push({ type: 2, value: host });
  }
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 30 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'UCWA reference server' }], {
    keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate,
    extensions: [{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: names }],
  });
  const certFile = path.join(mkdtempSync(path.join(tmpdir(), 'ucwa-reference-tls-')), 'cert.pem');
  writeFileSync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, certFile };
}
