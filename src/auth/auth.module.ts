import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminGuard, ApiKeyGuard } from './admin.guard';

/** ApiKeyGuard runs on every route (it only acts under /v1/); AdminGuard is used by each admin controller. */
@Global()
@Module({
  providers: [AdminGuard, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [AdminGuard],
})
export class AuthModule {}
