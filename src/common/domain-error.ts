/**
 * Every module throws DomainError with a stable machine-readable code; the global filter
 * (error.filter.ts) is the only place that maps codes to HTTP statuses.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MISSING_DOCUMENT: 400,
  INVALID_WORDS: 400,
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  MODEL_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  TOO_MANY_PAGES: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DOCUMENT_UNREADABLE: 422,
  EMPTY_DOCUMENT: 422,
  TOO_MANY_REQUESTS: 429,
  OVERLOADED: 503,
  MODEL_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, sent as Retry-After for OVERLOADED / TOO_MANY_REQUESTS. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
