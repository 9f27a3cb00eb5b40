import type {
  RecoveryCodesGetRequest,
  RecoveryCodesGetResponse,
  RecoveryCodesRecoverRequest,
  RecoveryCodesRecoverResponse,
  RecoveryCodesRotateRequest,
  RecoveryCodesRotateResponse,
} from './api-types.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.recoveryCodes`: TOTP recovery codes (reference 5.9). */
export class RecoveryCodes {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Completes MFA with a recovery code (consumes it). `POST /v1/b2b/recovery_codes/recover` */
  recover(request: RecoveryCodesRecoverRequest, options?: CallOptions): Promise<RecoveryCodesRecoverResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/recovery_codes/recover', body: request }), options);
  }

  /** Reads a member's recovery codes. `GET /v1/b2b/recovery_codes/{organization_id}/{member_id}` */
  get(request: RecoveryCodesGetRequest, options?: CallOptions): Promise<RecoveryCodesGetResponse> {
    return this.#t.send(() => ({ method: 'GET', path: apiPath`/v1/b2b/recovery_codes/${request.organization_id}/${request.member_id}` }), options);
  }

  /** Replaces a member's recovery codes. `POST /v1/b2b/recovery_codes/rotate` */
  rotate(request: RecoveryCodesRotateRequest, options?: CallOptions): Promise<RecoveryCodesRotateResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/recovery_codes/rotate', body: request }), options);
  }
}
