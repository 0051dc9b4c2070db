import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';

const FILE_FIELD = 'file';
const MAX_FIELD_BYTES = 1024;

/**
 * Streams the multipart `file` of POST /admin/datasets to `zipPath` (never held in memory; at most `maxBytes`)
 * and returns the text fields, whatever their order in the form.
 */
export async function readDatasetUpload(request: FastifyRequest, zipPath: string, maxBytes: number): Promise<Record<string, string>> {
  if (!request.isMultipart()) throw new DomainError('INVALID_REQUEST', 'Send multipart/form-data with a "file" field holding the zip');
  const fields: Record<string, string> = {};
  let received = false;
  for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 16, fieldSize: MAX_FIELD_BYTES } })) {
    if (part.type === 'file') {
      if (part.fieldname !== FILE_FIELD) {
        part.file.resume();
        throw new DomainError('INVALID_REQUEST', `Unexpected file field "${part.fieldname}"; the zip goes in "${FILE_FIELD}"`);
      }
      await pipeline(part.file, createWriteStream(zipPath));
      if (part.file.truncated) {
        throw new DomainError('PAYLOAD_TOO_LARGE', `The dataset zip is larger than ${maxBytes} bytes`, { maxBytes });
      }
      received = true;
    } else {
      if (part.valueTruncated) throw new DomainError('INVALID_REQUEST', `Field "${part.fieldname}" is too long`);
      fields[part.fieldname] = String(part.value);
    }
  }
  if (!received) throw new DomainError('INVALID_REQUEST', `No "${FILE_FIELD}" field: attach the dataset zip`);
  return fields;
}
