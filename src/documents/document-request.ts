import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';

/** What every document endpoint receives, whatever the transport (multipart upload or JSON with base64). */
export interface DocumentRequest {
  document: Buffer;
  /** Parsed JSON of the `words` field, validated later against the decoded pages (client-words.ts). */
  words?: unknown;
  /** The other form / JSON fields as strings (e.g. `model`). */
  fields: Record<string, string>;
}

const DOCUMENT_FIELD = 'file';
const HOW_TO_SEND = 'send multipart/form-data with a "file" field, or JSON { "document": "<base64>" }';

function missingDocument(why: string): DomainError {
  return new DomainError('MISSING_DOCUMENT', `${why}: ${HOW_TO_SEND}`);
}

function tooLarge(bytes: number, maxUploadBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `The document is ${bytes} bytes; the limit is ${maxUploadBytes}`, { maxUploadBytes });
}

/** Strict base64 (standard or URL-safe alphabet, optional data: URL prefix); Buffer.from alone silently skips junk. */
export function decodeBase64Document(text: string): Buffer {
  const payload = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
    throw new DomainError('INVALID_REQUEST', 'document: not valid base64', { field: 'document' });
  }
  return Buffer.from(payload, 'base64');
}

/** The `words` field travels as a JSON string in multipart forms. */
export function parseWordsField(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DomainError('INVALID_WORDS', `words: not valid JSON (${(error as Error).message})`, { field: 'words' });
  }
}

function asFieldString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function readMultipart(parts: AsyncIterable<Multipart>): Promise<DocumentRequest> {
  let document: Buffer | undefined;
  let words: unknown;
  const fields: Record<string, string> = {};
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== DOCUMENT_FIELD) {
        throw new DomainError('INVALID_REQUEST', `Unexpected file field "${part.fieldname}"; the document goes in "${DOCUMENT_FIELD}"`);
      }
      // Beyond limits.fileSize this throws FST_REQ_FILE_TOO_LARGE (413).
      document = await part.toBuffer();
    } else {
      if (part.valueTruncated) throw new DomainError('PAYLOAD_TOO_LARGE', `Field "${part.fieldname}" is too large`);
      const value = asFieldString(part.value);
      if (part.fieldname === 'words') words = value.trim() === '' ? undefined : parseWordsField(value);
      else fields[part.fieldname] = value;
    }
  }
  if (!document || document.length === 0) throw missingDocument(document ? 'The "file" field is empty' : 'No "file" field');
  return { document, words, fields };
}

function readJsonBody(body: unknown, maxUploadBytes: number): DocumentRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw missingDocument('No document');
  const { document: encoded, words, ...rest } = body as Record<string, unknown>;
  if (encoded === undefined || encoded === null || encoded === '') throw missingDocument('No "document" field');
  if (typeof encoded !== 'string') {
    throw new DomainError('INVALID_REQUEST', 'document: expected a base64 string', { field: 'document' });
  }
  const document = decodeBase64Document(encoded);
  if (document.length === 0) throw missingDocument('The "document" field is empty');
  if (document.length > maxUploadBytes) throw tooLarge(document.length, maxUploadBytes);
  const fields = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, asFieldString(value)]));
  // Accept `words` as JSON or, like in multipart forms, as a JSON string.
  return { document, words: typeof words === 'string' ? parseWordsField(words) : (words ?? undefined), fields };
}

/** Reads the document and its fields from a multipart or JSON request. */
export async function readDocumentRequest(request: FastifyRequest, config: Pick<AppConfig, 'maxUploadBytes'>): Promise<DocumentRequest> {
  if (request.isMultipart()) return readMultipart(request.parts());
  // Fastify also parses text/plain; only JSON carries a document besides multipart.
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== '' && mediaType !== 'application/json') {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content type ${mediaType} is not accepted: ${HOW_TO_SEND}`);
  }
  return readJsonBody(request.body, config.maxUploadBytes);
}
