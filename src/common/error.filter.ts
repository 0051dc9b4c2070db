import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_STATUS, ErrorCode } from './domain-error';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Unexpected errors are logged with their stack; client errors are not. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/** Errors raised by Fastify and its plugins (body parsing, multipart limits) carry an FST_* code and a 4xx status. */
interface FastifyClientError {
  code: string;
  statusCode: number;
  message: string;
}

function isFastifyClientError(error: unknown): error is FastifyClientError {
  const candidate = error as Partial<FastifyClientError> | null;
  return (
    typeof candidate?.code === 'string' &&
    candidate.code.startsWith('FST_') &&
    typeof candidate.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500
  );
}

function respond(status: number, code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorResponse {
  return { status, body: { error: details ? { code, message, details } : { code, message } }, headers: {}, unexpected: false };
}

function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  if (status >= 500) return internal(status);
  const payload = error.getResponse();
  if (status === 400) {
    // ValidationPipe puts class-validator's messages in an array; a hand-thrown BadRequestException has one string.
    const message = typeof payload === 'object' && payload !== null ? (payload as { message?: unknown }).message : payload;
    const messages = Array.isArray(message) ? message : [String(message ?? error.message)];
    return respond(400, 'VALIDATION_FAILED', 'Request validation failed', { messages });
  }
  return respond(status, CODE_BY_STATUS[status] ?? 'INVALID_REQUEST', error.message);
}

function fromFastifyError(error: FastifyClientError): ErrorResponse {
  // @fastify/multipart answers "not multipart" / bad JSON field with 406; to a client that is a bad request.
  const status = error.statusCode === 406 ? 400 : error.statusCode;
  return respond(status, CODE_BY_STATUS[status] ?? 'INVALID_REQUEST', error.message, { reason: error.code });
}

function internal(status: number = ERROR_STATUS.INTERNAL): ErrorResponse {
  return { ...respond(status, 'INTERNAL', 'Internal server error'), unexpected: true };
}

/** Pure mapping from anything thrown while serving a request to the stable error response. */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  let response: ErrorResponse;
  if (error instanceof DomainError) {
    response = respond(error.status, error.code, error.message, error.details);
    if (error.retryAfterSeconds !== undefined) response.headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
  } else if (isFastifyClientError(error)) {
    response = fromFastifyError(error);
  } else if (error instanceof HttpException && isFastifyClientError(error.cause)) {
    // Nest wraps Fastify's body-parsing errors in an HttpException; the FST_* code says what went wrong.
    response = fromFastifyError(error.cause);
  } else if (error instanceof HttpException) {
    response = fromHttpException(error);
  } else {
    response = internal();
  }
  if (response.unexpected) response.body.error.details = { requestId };
  return response;
}

const logger = new Logger('ErrorFilter');

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const response = toErrorResponse(error, String(request.id));
  if (response.unexpected) {
    const stack = error instanceof Error ? error.stack : String(error);
    logger.error(`${request.method} ${request.url} failed (request ${String(request.id)})`, stack);
  }
  if (reply.sent) return;
  void reply.code(response.status).headers(response.headers).send(response.body);
}

/**
 * The one global filter: every error leaves the service as `{ error: { code, message, details? } }`.
 * Nest also routes Fastify's own errors (body parsing, content type, unknown routes) through it.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
