/**
 * The emulator is offline: `sso.saml.updateByURL` never fetches anything. Every syntactically
 * valid http(s) metadata URL "returns" this fixed IdP metadata, derived from the URL so tests can
 * predict it. The certificate is a self-signed test certificate made for this emulator (its
 * private key was discarded); it is also what the emulator lists as its own signing certificate.
 */
import { X509Certificate } from 'node:crypto';

/** A parseable self-signed X.509 certificate (CN=Stytch Emulator Test IdP, valid to 2126). */
export const TEST_IDP_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDKTCCAhGgAwIBAgIUS6rhQe0ayOrTr7ctHveBHYnzkzowDQYJKoZIhvcNAQEL
BQAwIzEhMB8GA1UEAwwYU3R5dGNoIEVtdWxhdG9yIFRlc3QgSWRQMCAXDTI2MTIw
MjIxNDM0NVoYDzIxMjYxMTA4MjE0MzQ1WjAjMSEwHwYDVQQDDBhTdHl0Y2ggRW11
bGF0b3IgVGVzdCBJZFAwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDh
xUDZT1zM+u2jGfC9nqD9uCR++xYts6TjMi1xx357Dmsq6bWdk//OFTfa9KxTGtyT
XQlRcPlujQtOZjMqqwXvFOs72KqSd2pVbVhrWw/NIZo2MHyvZeoGlnD0U6BR4iMl
Pl0xcVjBaS0GriARqyuSfGngIBqH5/NV7dzmIYUKXBf694fmRNn1YPzOhqvB/Gaf
TL2zk+RTBIeqEvwCLUn6k5Ngl0wsC8MGHAtoYzaa1kNIuyKnGy2FDP5M1Jls2301
QbpBpSmznkwtb8DOQ07dgnhOh/emG5PUB2nXfHrf0oL87up3WUnbHN8p73NdhfPt
voyTb3gjLK2o66e0XTw1AgMBAAGjUzBRMB0GA1UdDgQWBBQS47mATQrX1Qo/bsqd
L2YGB1MOWjAfBgNVHSMEGDAWgBQS47mATQrX1Qo/bsqdL2YGB1MOWjAPBgNVHRMB
Af8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCQ2bc1yOQIEUvg48eP4hpT7wk6
Wo889TeNwwIJIkjq4vxp3Wwr+D7JVLDXI5RWYPOP5rKIQAuc4Lr4AcK9gRZMNQja
lo33GymE5IK2y/cLpNznkHM1uUkTzlHDdQB1UYG0cRG1iNTjFD1TLU0Wii5929md
YaRoVu9g8usaeQNjftVUpsmUHffu5pSivWAQB6hSR2yASrTt3afUlourBbR7/N3s
MjeDw7Y/NJfmeM+M7JxcN6yDlDu06a0/yGgSi6Ljdw2+B7GX83EBFp88usZqRoTz
+GIk9u31Vz+tyzOJOP6BiMeslieBD2InKFVpEZmOJ8nTNcxFWkM/BSqJxOi4
-----END CERTIFICATE-----
`;

/** The fixed metadata "served" at a metadata URL. */
export function fakeSamlMetadata(metadataUrl: URL): { idp_entity_id: string; idp_sso_url: string; x509_certificate: string } {
  return {
    idp_entity_id: `${metadataUrl.origin}/emulator-idp/entity`,
    idp_sso_url: `${metadataUrl.origin}/emulator-idp/sso`,
    x509_certificate: TEST_IDP_CERTIFICATE,
  };
}

const stamp = (date: string): string => new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Parses a PEM certificate; `undefined` when it is not one. */
export function parseCertificate(pem: string): { issuer: string; expires_at: string; created_at: string } | undefined {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  try {
    const cert = new X509Certificate(pem);
    return { issuer: cert.issuer, expires_at: stamp(cert.validTo), created_at: stamp(cert.validFrom) };
  } catch {
    return undefined;
  }
}
