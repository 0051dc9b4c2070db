import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { STUDIO_CSP, StudioAsset, StudioAssets } from './studio-assets';

/** GET /studio: the web page (analyse a document, admin datasets/tuning/models), and its own files. */
@ApiExcludeController()
@Controller('studio')
export class StudioController {
  constructor(private readonly assets: StudioAssets) {}

  @Get()
  page(@Res() reply: FastifyReply): void {
    send(reply, this.assets.get('index.html'));
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() reply: FastifyReply): void {
    send(reply, this.assets.get(file));
  }

  @Get('ui/:file')
  uiFile(@Param('file') file: string, @Res() reply: FastifyReply): void {
    send(reply, this.assets.get(`ui/${file}`));
  }
}

function send(reply: FastifyReply, asset: StudioAsset): void {
  void reply
    .header('content-type', asset.contentType)
    .header('content-security-policy', STUDIO_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(asset.body);
}
