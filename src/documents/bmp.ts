import { DomainError } from '../common/domain-error';

/**
 * Minimal BMP reader: sharp (libvips without ImageMagick) cannot read BMP. Supports uncompressed
 * 24/32-bit (BI_RGB, or BI_BITFIELDS with 8-bit masks) and 1/4/8-bit palettes — what scanners write.
 */

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const FILE_HEADER_BYTES = 14;

export interface BmpHeader {
  width: number;
  height: number;
  /** Rows stored top row first (negative height in the file). */
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  pixelOffset: number;
  headerBytes: number;
  paletteSize: number;
}

export function isBmp(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function unreadable(message: string): DomainError {
  return new DomainError('DOCUMENT_UNREADABLE', `BMP: ${message}`);
}

/** Reads the header only, so dimensions can be checked before any pixel memory is allocated. */
export function parseBmpHeader(bytes: Buffer): BmpHeader {
  if (!isBmp(bytes)) throw unreadable('missing BM signature');
  if (bytes.length < FILE_HEADER_BYTES + 40) throw unreadable('truncated header');
  const headerBytes = bytes.readUInt32LE(14);
  if (headerBytes < 40) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'BMP: OS/2 (core header) bitmaps are not supported');
  const rawHeight = bytes.readInt32LE(22);
  const bitsPerPixel = bytes.readUInt16LE(28);
  const compression = bytes.readUInt32LE(30);
  const colorsUsed = bytes.readUInt32LE(46);
  const header: BmpHeader = {
    width: bytes.readInt32LE(18),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    pixelOffset: bytes.readUInt32LE(10),
    headerBytes,
    paletteSize: bitsPerPixel <= 8 ? colorsUsed || 2 ** bitsPerPixel : 0,
  };
  if (header.width <= 0 || header.height === 0) throw unreadable(`invalid size ${header.width}×${rawHeight}`);
  const supported =
    ([24, 32].includes(bitsPerPixel) && compression === BI_RGB) ||
    (bitsPerPixel === 32 && (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS)) ||
    ([1, 4, 8].includes(bitsPerPixel) && compression === BI_RGB);
  if (!supported) {
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `BMP: ${bitsPerPixel}-bit with compression ${compression} is not supported (uncompressed 1/4/8/24/32-bit only)`,
    );
  }
  return header;
}

interface ChannelMask {
  shift: number;
  mask: number;
}

function channelMask(mask: number): ChannelMask {
  if (mask === 0) return { shift: 0, mask: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift += 1;
  return { shift, mask: mask >>> 0 };
}

function readMasks(bytes: Buffer, header: BmpHeader): [ChannelMask, ChannelMask, ChannelMask] {
  // BI_RGB 32-bit is BGRX; bitfield masks follow a 40-byte header, or sit inside V4/V5 headers at the same offset.
  if (header.compression === BI_RGB) return [channelMask(0x00ff0000), channelMask(0x0000ff00), channelMask(0x000000ff)];
  if (bytes.length < 66) throw unreadable('truncated bitfield masks');
  return [channelMask(bytes.readUInt32LE(54)), channelMask(bytes.readUInt32LE(58)), channelMask(bytes.readUInt32LE(62))];
}

function scale(value: number, channel: ChannelMask): number {
  if (channel.mask === 0) return 0;
  const max = channel.mask >>> channel.shift;
  return max === 255 ? value : Math.round((value * 255) / max);
}

/** Decodes to raw 8-bit RGB, top row first. */
export function decodeBmp(bytes: Buffer, header: BmpHeader = parseBmpHeader(bytes)): { rgb: Buffer; width: number; height: number } {
  const { width, height, bitsPerPixel } = header;
  const rowBytes = Math.ceil((bitsPerPixel * width) / 32) * 4;
  if (header.pixelOffset + rowBytes * height > bytes.length) throw unreadable('truncated pixel data');
  const rgb = Buffer.alloc(width * height * 3);
  const paletteStart = FILE_HEADER_BYTES + header.headerBytes + (header.compression === BI_BITFIELDS && header.headerBytes === 40 ? 12 : 0);
  if (paletteStart + header.paletteSize * 4 > header.pixelOffset && bitsPerPixel <= 8) throw unreadable('truncated palette');
  const masks = bitsPerPixel === 32 ? readMasks(bytes, header) : undefined;

  for (let y = 0; y < height; y++) {
    const row = header.pixelOffset + (header.topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 3;
      if (bitsPerPixel === 24) {
        const at = row + x * 3;
        rgb[out] = bytes[at + 2];
        rgb[out + 1] = bytes[at + 1];
        rgb[out + 2] = bytes[at];
      } else if (masks) {
        const pixel = bytes.readUInt32LE(row + x * 4);
        masks.forEach((channel, c) => (rgb[out + c] = scale((pixel & channel.mask) >>> channel.shift, channel)));
      } else {
        const pixelsPerByte = 8 / bitsPerPixel;
        const byte = bytes[row + Math.floor(x / pixelsPerByte)];
        const bitShift = 8 - bitsPerPixel * ((x % pixelsPerByte) + 1);
        const index = (byte >> bitShift) & ((1 << bitsPerPixel) - 1);
        if (index >= header.paletteSize) throw unreadable(`palette index ${index} out of range`);
        const entry = paletteStart + index * 4;
        rgb[out] = bytes[entry + 2];
        rgb[out + 1] = bytes[entry + 1];
        rgb[out + 2] = bytes[entry];
      }
    }
  }
  return { rgb, width, height };
}
