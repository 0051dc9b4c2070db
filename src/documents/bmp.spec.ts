import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { encodeBmp } from '../../test/helpers/fixtures';
import { decodeBmp, isBmp, parseBmpHeader } from './bmp';

const RED: [number, number, number] = [255, 0, 0];
const GREEN: [number, number, number] = [0, 255, 0];
const BLUE: [number, number, number] = [0, 0, 255];
const WHITE: [number, number, number] = [255, 255, 255];

describe('parseBmpHeader', () => {
  it('reads size and orientation', () => {
    const header = parseBmpHeader(encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, topDown: true, pixels: [] }));
    assert.deepEqual([header.width, header.height, header.topDown, header.bitsPerPixel], [3, 2, true, 24]);
  });

  it('rejects compressed bitmaps as unsupported media', () => {
    const rle = encodeBmp({ width: 2, height: 2, bitsPerPixel: 8, compression: 1, palette: [WHITE], pixels: [] });
    assert.throws(() => parseBmpHeader(rle), (e: DomainError) => e.code === 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a zero-size bitmap as unreadable', () => {
    const empty = encodeBmp({ width: 0, height: 0, bitsPerPixel: 24, pixels: [] });
    assert.throws(() => parseBmpHeader(empty), (e: DomainError) => e.code === 'DOCUMENT_UNREADABLE');
  });

  it('recognises the signature', () => {
    assert.equal(isBmp(Buffer.from('BM')), true);
    assert.equal(isBmp(Buffer.from('PK')), false);
  });
});

describe('decodeBmp', () => {
  it('decodes bottom-up 24-bit rows with padding to RGB, top row first', () => {
    const bmp = encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, pixels: [[RED, GREEN, BLUE], [WHITE, RED, GREEN]] });
    const { rgb, width, height } = decodeBmp(bmp);
    assert.deepEqual([width, height], [3, 2]);
    assert.deepEqual([...rgb], [...RED, ...GREEN, ...BLUE, ...WHITE, ...RED, ...GREEN]);
  });

  it('decodes top-down 32-bit BGRX', () => {
    const bmp = encodeBmp({ width: 2, height: 1, bitsPerPixel: 32, topDown: true, pixels: [[BLUE, RED]] });
    assert.deepEqual([...decodeBmp(bmp).rgb], [...BLUE, ...RED]);
  });

  it('decodes 1-bit and 8-bit palettes', () => {
    const mono = encodeBmp({ width: 9, height: 1, bitsPerPixel: 1, palette: [[0, 0, 0], WHITE], pixels: [[1, 0, 0, 0, 0, 0, 0, 0, 1]] });
    const rgb = decodeBmp(mono).rgb;
    assert.deepEqual([...rgb.subarray(0, 6)], [...WHITE, 0, 0, 0]);
    assert.deepEqual([...rgb.subarray(24, 27)], WHITE);
    const indexed = encodeBmp({ width: 2, height: 1, bitsPerPixel: 8, palette: [RED, GREEN], pixels: [[1, 0]] });
    assert.deepEqual([...decodeBmp(indexed).rgb], [...GREEN, ...RED]);
  });

  it('rejects truncated pixel data', () => {
    const bmp = encodeBmp({ width: 3, height: 2, bitsPerPixel: 24, pixels: [[RED, GREEN, BLUE], [WHITE, RED, GREEN]] });
    assert.throws(() => decodeBmp(bmp.subarray(0, bmp.length - 4)), (e: DomainError) => e.code === 'DOCUMENT_UNREADABLE');
  });
});
