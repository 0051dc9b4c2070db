import { errorSummary } from '../job-view.js';
import { SseEvent, SseParser } from '../sse-parser.js';
import { byId, showError } from './dom.js';

/**
 * The service's HTTP API as the Studio calls it: the same endpoints as any client. Keys live in this object only
 * (the tab's memory), never in storage.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The key is missing, wrong or not an admin key: retrying cannot help. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403 || this.code === 'ADMIN_DISABLED';
  }
}

export class Api {
  apiKey = '';
  adminKey = '';

  private authorization(path: string): Record<string, string> {
    const key = path.startsWith('/admin/') ? this.adminKey : this.apiKey || this.adminKey;
    return key ? { authorization: `Bearer ${key}` } : {};
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: FormData | object, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = this.authorization(path);
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: payload, signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK_ERROR', `The service cannot be reached (${(error as Error).message})`);
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed: unknown = type.includes('json') && text ? safeJson(text) : text;
    if (!response.ok) {
      const { code, message } = errorSummary(response.status, parsed);
      const details = typeof parsed === 'object' && parsed !== null ? ((parsed as { error?: { details?: Record<string, unknown> } }).error?.details) : undefined;
      throw new ApiError(response.status, code, message, details);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: FormData | object): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /**
   * Reads a server-sent event stream until it ends: `onEvent` gets each event. Returns normally when the server
   * closes the stream (or it drops), throws ApiError when it was refused.
   */
  async stream(path: string, onEvent: (event: SseEvent) => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(path, { headers: { ...this.authorization(path), accept: 'text/event-stream' }, signal, cache: 'no-store' });
    if (!response.ok || !response.body) {
      const text = await response.text();
      const { code, message } = errorSummary(response.status, safeJson(text) ?? text);
      throw new ApiError(response.status, code, message);
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
      }
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      // The connection dropped mid-stream: the caller reconnects.
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, 'CLIENT_ERROR', error instanceof Error ? error.message : String(error));

/** Runs one API call for a part of the page: its error (code and message) goes to that part's alert box, or clears it. */
export async function reportingTo(errorBox: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    showError(byId(errorBox), undefined);
  } catch (error) {
    showError(byId(errorBox), asApiError(error));
  }
}
