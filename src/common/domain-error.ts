/**
 * Every module throws DomainError with a stable machine-readable code; the global filter
 * (error.filter.ts) is the only place that maps codes to HTTP statuses.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MISSING_DOCUMENT: 400,
  INVALID_WORDS: 400,
  INVALID_REQUEST: 400,
  INVALID_QUESTIONS: 400,
  QUESTION_TOO_LONG: 400,
  TOO_MANY_QUESTIONS: 400,
  INVALID_PAGES: 400,
  INVALID_LABEL: 400,
  WARM_START_UNAVAILABLE: 400,
  ESTIMATE_OVER_LIMIT: 400,
  PAGES_OUT_OF_RANGE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  DATASET_NOT_FOUND: 404,
  DATASET_IN_USE: 409,
  JOB_NOT_FOUND: 404,
  JOB_NOT_CANCELLABLE: 409,
  MODEL_NOT_FOUND: 404,
  MODEL_ACTIVE: 409,
  MODEL_READ_ONLY: 409,
  MODEL_EXISTS: 409,
  NO_PREVIOUS_VERSION: 409,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  TOO_MANY_PAGES: 413,
  ZIP_BOMB: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DOCUMENT_UNREADABLE: 422,
  EMPTY_DOCUMENT: 422,
  TASK_MISMATCH: 422,
  INVALID_BUNDLE: 422,
  PDF_ENCRYPTED: 422,
  OCR_TIMEOUT: 422,
  DATASET_INVALID: 422,
  ZIP_UNSAFE_ENTRY: 422,
  ZIP_UNREADABLE: 422,
  TOO_MANY_REQUESTS: 429,
  OVERLOADED: 503,
  ADMIN_DISABLED: 503,
  MODEL_UNAVAILABLE: 503,
  STUDIO_UNAVAILABLE: 503,
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
