import { PixelBox } from '../common/document-types';
import { Point, Quad } from './page-layout';
import { Random } from './random';

/**
 * Scan-like degradation of a rendered page: the geometric part (a few degrees of skew, a resolution) is one
 * affine map applied while drawing, so word boxes follow by mapping their corners; the pixel part (blur, noise,
 * speckles, JPEG) changes no geometry. Pure functions; the canvas adapter applies them.
 */

export interface Degradation {
  /** Skew in degrees. */
  angle: number;
  /** Pixels per page unit (below 1 = a low-resolution scan). */
  scale: number;
  /** Paper grey (255 = white) and the scanner bed around a skewed page. */
  paper: number;
  /** Ink grey (0 = black): faded toner. */
  ink: number;
  /** Gaussian blur sigma in pixels (0 = none). */
  blur: number;
  /** Per-pixel Gaussian noise sigma in grey levels (0 = none). */
  noise: number;
  speckles: number;
  /** JPEG quality of the stored image; undefined = lossless PNG. */
  jpegQuality?: number;
}

export const CLEAN: Degradation = { angle: 0, scale: 1, paper: 255, ink: 17, blur: 0, noise: 0, speckles: 0 };

const uniform = (rng: Random, low: number, high: number) => low + rng() * (high - low);

/** A random degradation: about one page in six stays clean, the rest get a mix of the effects. */
export function sampleDegradation(rng: Random): Degradation {
  if (rng() < 0.15) return { ...CLEAN, scale: uniform(rng, 0.85, 1.15) };
  const lowResolution = rng() < 0.25;
  return {
    angle: rng() < 0.7 ? uniform(rng, -3, 3) : 0,
    scale: lowResolution ? uniform(rng, 0.55, 0.75) : uniform(rng, 0.8, 1.2),
    paper: rng() < 0.5 ? Math.round(uniform(rng, 200, 245)) : 255,
    ink: Math.round(uniform(rng, 0, 70)),
    blur: rng() < 0.4 ? uniform(rng, 0.4, 1.3) : 0,
    noise: rng() < 0.5 ? uniform(rng, 4, 18) : 0,
    speckles: rng() < 0.4 ? Math.floor(uniform(rng, 20, 400)) : 0,
    jpegQuality: rng() < 0.4 ? Math.round(uniform(rng, 25, 70)) : undefined,
  };
}

/** Canvas-style affine matrix [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type Affine = [number, number, number, number, number, number];

export function applyAffine([a, b, c, d, e, f]: Affine, [x, y]: Point): Point {
  return [a * x + c * y + e, b * x + d * y + f];
}

/** Scale, then rotate about the page centre, then shift so the whole rotated page lies on the canvas. */
export function pageTransform(width: number, height: number, degradation: Degradation): { matrix: Affine; width: number; height: number } {
  const radians = (degradation.angle * Math.PI) / 180;
  const cos = Math.cos(radians) * degradation.scale;
  const sin = Math.sin(radians) * degradation.scale;
  const linear: Affine = [cos, sin, -sin, cos, 0, 0];
  const corners = ([[0, 0], [width, 0], [width, height], [0, height]] as Point[]).map((corner) => applyAffine(linear, corner));
  const xs = corners.map(([x]) => x);
  const ys = corners.map(([, y]) => y);
  const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
  return {
    matrix: [cos, sin, -sin, cos, -minX, -minY],
    width: Math.ceil(Math.max(...xs) - minX),
    height: Math.ceil(Math.max(...ys) - minY),
  };
}

/** The axis-aligned pixel box of a mapped quad, clipped to the image (integers, x0 < x1, y0 < y1). */
export function quadToBox(quad: Quad, matrix: Affine, width: number, height: number): PixelBox {
  const points = quad.map((corner) => applyAffine(matrix, corner));
  const clip = (value: number, limit: number) => Math.min(Math.max(value, 0), limit);
  const x0 = clip(Math.floor(Math.min(...points.map(([x]) => x))), width - 1);
  const y0 = clip(Math.floor(Math.min(...points.map(([, y]) => y))), height - 1);
  const x1 = Math.max(clip(Math.ceil(Math.max(...points.map(([x]) => x))), width), x0 + 1);
  const y1 = Math.max(clip(Math.ceil(Math.max(...points.map(([, y]) => y))), height), y0 + 1);
  return [x0, y0, x1, y1];
}

/** Separable Gaussian blur of RGBA pixels in place (alpha untouched). */
export function gaussianBlur(rgba: Uint8ClampedArray, width: number, height: number, sigma: number): void {
  if (sigma <= 0) return;
  const radius = Math.max(1, Math.ceil(sigma * 2.5));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((sum, weight) => sum + weight, 0);
  const weights = kernel.map((weight) => weight / total);
  const buffer = new Float32Array(width * height);
  for (let channel = 0; channel < 3; channel++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += weights[k + radius] * rgba[(y * width + Math.min(Math.max(x + k, 0), width - 1)) * 4 + channel];
        buffer[y * width + x] = sum;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += weights[k + radius] * buffer[Math.min(Math.max(y + k, 0), height - 1) * width + x];
        rgba[(y * width + x) * 4 + channel] = sum;
      }
    }
  }
}

/** Grey Gaussian noise (the same offset on R, G and B, as a greyscale scan has), in place. */
export function addNoise(rgba: Uint8ClampedArray, sigma: number, rng: Random): void {
  if (sigma <= 0) return;
  for (let i = 0; i < rgba.length; i += 4) {
    // Box–Muller from two uniforms.
    const offset = sigma * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    rgba[i] += offset;
    rgba[i + 1] += offset;
    rgba[i + 2] += offset;
  }
}

/** Dust and toner specks: small dark dots, a few larger. */
export function speckleDots(rng: Random, count: number, width: number, height: number): Array<{ x: number; y: number; radius: number }> {
  return Array.from({ length: count }, () => ({ x: rng() * width, y: rng() * height, radius: rng() < 0.9 ? 0.5 + rng() : 1.5 + 2 * rng() }));
}
