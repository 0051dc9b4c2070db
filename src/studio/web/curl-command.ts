/**
 * The `curl` command that repeats a Studio request, to copy into a terminal. A key is never written into it: the
 * command reads it from an environment variable the user sets.
 */

export interface CurlRequest {
  /** e.g. http://localhost:3000 */
  origin: string;
  path: string;
  /** The uploaded file's name (sent as `file`). */
  fileName?: string;
  /** Other multipart fields, in order. */
  fields?: ReadonlyArray<readonly [string, string]>;
  /** Adds an Authorization header that reads $AETNET_KEY. */
  withKey?: boolean;
}

/** Single-quoted for POSIX shells: a quote inside becomes '\''. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function curlCommand(request: CurlRequest): string {
  const parts = [`curl -sS -X POST ${shellQuote(request.origin + request.path)}`];
  if (request.withKey) parts.push(`-H "Authorization: Bearer $AETNET_KEY"`);
  if (request.fileName !== undefined) parts.push(`-F ${shellQuote(`file=@${request.fileName}`)}`);
  for (const [name, value] of request.fields ?? []) parts.push(`-F ${shellQuote(`${name}=${value}`)}`);
  return parts.join(' \\\n  ');
}
