/**
 * Stytch-shaped API errors (reference 1.5). Route handlers throw {@link ApiError}; the server turns
 * it into `{ status_code, request_id, error_type, error_message, error_url, error_details? }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly errorMessage: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${status} ${errorType}: ${errorMessage}`);
    this.name = 'ApiError';
  }
}

export function errorBody(status: number, errorType: string, errorMessage: string, requestId: string, details?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {
    status_code: status,
    request_id: requestId,
    error_type: errorType,
    error_message: errorMessage,
    error_url: `https://stytch.com/docs/api/errors/${status}`,
  };
  if (details !== undefined) body.error_details = details;
  return body;
}

export const badRequest = (errorType: string, message: string, details?: Record<string, unknown>): ApiError =>
  new ApiError(400, errorType, message, details);
export const unauthorized = (errorType: string, message: string): ApiError => new ApiError(401, errorType, message);
export const forbidden = (errorType: string, message: string): ApiError => new ApiError(403, errorType, message);
export const notFound = (errorType: string, message: string): ApiError => new ApiError(404, errorType, message);

export const sessionNotFound = (): ApiError => notFound('session_not_found', 'Session could not be found.');
export const memberNotFound = (): ApiError => notFound('member_not_found', 'Member could not be found.');
export const organizationNotFound = (): ApiError => notFound('organization_not_found', 'Organization could not be found.');
export const istNotFound = (): ApiError =>
  notFound('intermediate_session_not_found', 'Intermediate session could not be found, or it has expired or been used.');
