import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { bearerToken, keyMatches, matchesAnyKey } from './key-compare';

const INFERENCE_PREFIX = '/v1/';

function requestOf(context: ExecutionContext): FastifyRequest {
  return context.switchToHttp().getRequest<FastifyRequest>();
}

// Messages never echo the presented key: error bodies and logs must not carry secrets.
const missingKey = () => new DomainError('UNAUTHORIZED', 'Send "Authorization: Bearer <key>"');
const invalidKey = () => new DomainError('UNAUTHORIZED', 'The key is not valid');

/** Admin endpoints: the Bearer key must be AETNET_ADMIN_KEY; an inference key is known but not allowed (403). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const adminKey = this.config.adminKey;
    if (!adminKey) throw new DomainError('ADMIN_DISABLED', 'The admin API is disabled: set AETNET_ADMIN_KEY to enable it');
    const token = bearerToken(requestOf(context).headers.authorization);
    if (token === undefined) throw missingKey();
    if (keyMatches(token, adminKey)) return true;
    if (matchesAnyKey(token, this.config.apiKeys)) throw new DomainError('FORBIDDEN', 'This key may call the inference API only');
    throw invalidKey();
  }
}

/**
 * Inference endpoints (routes under /v1/), applied globally by AuthModule: open while AETNET_API_KEYS is empty;
 * otherwise one of those keys or the admin key is required. Other routes (health, docs, admin) pass through.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = requestOf(context);
    if (!request.url.startsWith(INFERENCE_PREFIX) || this.config.apiKeys.length === 0) return true;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw missingKey();
    const accepted = this.config.adminKey ? [...this.config.apiKeys, this.config.adminKey] : this.config.apiKeys;
    if (!matchesAnyKey(token, accepted)) throw invalidKey();
    return true;
  }
}
