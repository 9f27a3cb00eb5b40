import type {
  MembersCreateRequest,
  MembersCreateResponse,
  MembersDeleteMFAPhoneNumberRequest,
  MembersDeleteMFAPhoneNumberResponse,
  MembersDeletePasswordRequest,
  MembersDeletePasswordResponse,
  MembersDeleteRequest,
  MembersDeleteResponse,
  MembersDeleteTOTPRequest,
  MembersDeleteTOTPResponse,
  MembersGetRequest,
  MembersGetResponse,
  MembersReactivateRequest,
  MembersReactivateResponse,
  MembersSearchRequest,
  MembersSearchResponse,
  MembersStartEmailUpdateRequest,
  MembersStartEmailUpdateResponse,
  MembersUnlinkRetiredEmailRequest,
  MembersUnlinkRetiredEmailResponse,
  MembersUpdateRequest,
  MembersUpdateResponse,
} from './api-types.js';
import { apiPath } from './transport.js';
import type { CallOptions, Transport } from './transport.js';

/** `client.organizations.members` (reference 6.2). */
export class Members {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a member. `POST /v1/b2b/organizations/{organization_id}/members` */
  create(request: MembersCreateRequest, options?: CallOptions): Promise<MembersCreateResponse> {
    return this.#t.send(() => {
      const { organization_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/organizations/${organization_id}/members`, body };
    }, options);
  }

  /** Reads a member by id or email. `GET /v1/b2b/organizations/{organization_id}/member` */
  get(request: MembersGetRequest, options?: CallOptions): Promise<MembersGetResponse> {
    return this.#t.send(
      () => ({
        method: 'GET',
        // Singular `member` on purpose: that is Stytch's path (reference 6.2).
        path: apiPath`/v1/b2b/organizations/${request.organization_id}/member`,
        query: { member_id: request.member_id, email_address: request.email_address },
      }),
      options,
    );
  }

  /** Updates a member. `PUT /v1/b2b/organizations/{organization_id}/members/{member_id}` */
  update(request: MembersUpdateRequest, options?: CallOptions): Promise<MembersUpdateResponse> {
    return this.#t.send(() => {
      const { organization_id, member_id, ...body } = request;
      return { method: 'PUT', path: apiPath`/v1/b2b/organizations/${organization_id}/members/${member_id}`, body };
    }, options);
  }

  /** Deletes a member. `DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}` */
  delete(request: MembersDeleteRequest, options?: CallOptions): Promise<MembersDeleteResponse> {
    return this.#t.send(
      () => ({ method: 'DELETE', path: apiPath`/v1/b2b/organizations/${request.organization_id}/members/${request.member_id}` }),
      options,
    );
  }

  /** Reactivates a deleted member. `PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate` */
  reactivate(request: MembersReactivateRequest, options?: CallOptions): Promise<MembersReactivateResponse> {
    return this.#t.send(
      () => ({ method: 'PUT', path: apiPath`/v1/b2b/organizations/${request.organization_id}/members/${request.member_id}/reactivate`, body: {} }),
      options,
    );
  }

  /** Searches members of some organizations. `POST /v1/b2b/organizations/members/search` */
  search(request: MembersSearchRequest, options?: CallOptions): Promise<MembersSearchResponse> {
    return this.#t.send(() => ({ method: 'POST', path: '/v1/b2b/organizations/members/search', body: request }), options);
  }

  /** Starts a verified change of a member's email. `POST /v1/b2b/organizations/{organization_id}/members/{member_id}/start_email_update` */
  startEmailUpdate(request: MembersStartEmailUpdateRequest, options?: CallOptions): Promise<MembersStartEmailUpdateResponse> {
    return this.#t.send(() => {
      const { organization_id, member_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/organizations/${organization_id}/members/${member_id}/start_email_update`, body };
    }, options);
  }
  /** Removes a member's MFA phone number. `DELETE /v1/b2b/organizations/{organization_id}/members/mfa_phone_numbers/{member_id}` */
  deleteMFAPhoneNumber(request: MembersDeleteMFAPhoneNumberRequest, options?: CallOptions): Promise<MembersDeleteMFAPhoneNumberResponse> {
    return this.#t.send(
      () => ({ method: 'DELETE', path: apiPath`/v1/b2b/organizations/${request.organization_id}/members/mfa_phone_numbers/${request.member_id}` }),
      options,
    );
  }

  /** Removes a member's TOTP registration. `DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}/totp` */
  deleteTOTP(request: MembersDeleteTOTPRequest, options?: CallOptions): Promise<MembersDeleteTOTPResponse> {
    return this.#t.send(
      () => ({ method: 'DELETE', path: apiPath`/v1/b2b/organizations/${request.organization_id}/members/${request.member_id}/totp` }),
      options,
    );
  }

  /** Removes a member's password. `DELETE /v1/b2b/organizations/{organization_id}/members/passwords/{member_password_id}` */
  deletePassword(request: MembersDeletePasswordRequest, options?: CallOptions): Promise<MembersDeletePasswordResponse> {
    return this.#t.send(
      () => ({ method: 'DELETE', path: apiPath`/v1/b2b/organizations/${request.organization_id}/members/passwords/${request.member_password_id}` }),
      options,
    );
  }

  /** Frees a retired email address of a member. `POST /v1/b2b/organizations/{organization_id}/members/{member_id}/unlink_retired_email` */
  unlinkRetiredEmail(request: MembersUnlinkRetiredEmailRequest, options?: CallOptions): Promise<MembersUnlinkRetiredEmailResponse> {
    return this.#t.send(() => {
      const { organization_id, member_id, ...body } = request;
      return { method: 'POST', path: apiPath`/v1/b2b/organizations/${organization_id}/members/${member_id}/unlink_retired_email`, body };
    }, options);
  }
}
