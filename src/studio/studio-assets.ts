import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { DomainError } from '../common/domain-error';

/**
 * The built Studio page (dist/studio-web: index.html, studio.css, the compiled ES modules), read once into memory.
 * Only those files are served: a request names an asset, never a path on disk.
 */

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Everything the page loads comes from this service: no CDN, no inline script. Page images arrive as data: URLs
 * (POST /v1/pages).
 */
export const STUDIO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface StudioAsset {
  body: Buffer;
  contentType: string;
}

/** Asset names as URL paths ("index.html", "ui/main.js") → their bytes; undefined when the page was never built. */
export function readStudioAssets(dir: string): Map<string, StudioAsset> | undefined {
  const assets = new Map<string, StudioAsset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && extname(entry.name) in CONTENT_TYPES) {
        assets.set(relative(dir, path).split(sep).join('/'), { body: readFileSync(path), contentType: CONTENT_TYPES[extname(entry.name)] });
      }
    }
  };
  try {
    if (!statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  walk(dir);
  return assets.has('index.html') ? assets : undefined;
}

export class StudioAssets {
  private readonly assets: Map<string, StudioAsset> | undefined;

  constructor(dir: string) {
    this.assets = readStudioAssets(dir);
  }

  get(name: string): StudioAsset {
    if (!this.assets) throw new DomainError('STUDIO_UNAVAILABLE', 'The Studio page is not built: run `npm run build`');
    const asset = this.assets.get(name);
    if (!asset) throw new DomainError('NOT_FOUND', `No Studio asset "${name}"`);
    return asset;
  }
}
