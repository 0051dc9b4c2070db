import { createCanvas, GlobalFonts, SKRSContext2D } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { addNoise, Affine, Degradation, gaussianBlur, pageTransform, speckleDots } from './degradation';
import { availableFamilies, FontFamily } from './fonts';
import { Face, InkMetrics, MeasureText, PageLayout, Point, Shape } from './page-layout';
import { Random } from './random';

/**
 * The only file of the synthetic generator that imports @napi-rs/canvas: it registers the installed fonts,
 * measures text with them and draws a page through the degradation's affine map, so the words' boxes
 * (measured with the same fonts, mapped with the same matrix) agree with the pixels.
 */

export interface RenderedPage {
  data: Buffer;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Page units → image pixels. */
  matrix: Affine;
}

export interface PageRenderer {
  families: FontFamily[];
  measure: MeasureText;
  render(page: PageLayout, degradation: Degradation, rng: Random): Promise<RenderedPage>;
}

const alias = (face: Face) => `aetnet ${face.family}${face.bold ? ' Bold' : ''}`;
const cssFont = (face: Face, size: number) => `${size}px "${alias(face)}"`;

function drawShape(ctx: SKRSContext2D, shape: Shape): void {
  ctx.beginPath();
  if (shape.kind === 'rect') ctx.rect(shape.x, shape.y, shape.w, shape.h);
  else if (shape.kind === 'ellipse') ctx.ellipse(shape.cx, shape.cy, shape.rx, shape.ry, 0, 0, 2 * Math.PI);
  else {
    const points: Point[] = shape.points;
    ctx.moveTo(points[0][0], points[0][1]);
    if (shape.kind === 'polygon') {
      for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
      ctx.closePath();
    } else {
      // Through the midpoints, so a scribble is smooth like a pen stroke.
      for (let i = 1; i < points.length - 1; i++) {
        ctx.quadraticCurveTo(points[i][0], points[i][1], (points[i][0] + points[i + 1][0]) / 2, (points[i][1] + points[i + 1][1]) / 2);
      }
      ctx.lineTo(points[points.length - 1][0], points[points.length - 1][1]);
    }
  }
  if ('fill' in shape && shape.fill) {
    ctx.fillStyle = shape.fill;
    ctx.fill();
  }
  if (shape.stroke) {
    ctx.strokeStyle = shape.stroke;
    ctx.lineWidth = shape.lineWidth ?? 1;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.stroke();
  }
}

const grey = (level: number) => `rgb(${level},${level},${level})`;

export function createPageRenderer(): PageRenderer {
  const families = availableFamilies(existsSync);
  for (const family of families) {
    GlobalFonts.registerFromPath(family.regular, alias({ family: family.name, bold: false }));
    GlobalFonts.registerFromPath(family.bold, alias({ family: family.name, bold: true }));
  }
  const measuring = createCanvas(8, 8).getContext('2d');
  const measure: MeasureText = (text, face, size): InkMetrics => {
    measuring.font = cssFont(face, size);
    const metrics = measuring.measureText(text);
    return {
      width: metrics.width,
      left: metrics.actualBoundingBoxLeft,
      right: metrics.actualBoundingBoxRight,
      ascent: metrics.actualBoundingBoxAscent,
      descent: metrics.actualBoundingBoxDescent,
    };
  };

  async function render(page: PageLayout, degradation: Degradation, rng: Random): Promise<RenderedPage> {
    const { matrix, width, height } = pageTransform(page.width, page.height, degradation);
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = grey(Math.max(degradation.paper - 40, 0));
    ctx.fillRect(0, 0, width, height);
    ctx.setTransform(...matrix);
    ctx.fillStyle = grey(degradation.paper);
    ctx.fillRect(0, 0, page.width, page.height);
    for (const shape of page.shapes) drawShape(ctx, shape);
    for (const run of page.runs) {
      ctx.save();
      ctx.translate(run.x, run.y);
      if (run.angle !== 0) ctx.rotate((run.angle * Math.PI) / 180);
      ctx.font = cssFont(run.face, run.size);
      ctx.fillStyle = run.colour === '#111' ? grey(degradation.ink) : run.colour;
      ctx.fillText(run.text, 0, 0);
      ctx.restore();
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = grey(40);
    for (const dot of speckleDots(rng, degradation.speckles, width, height)) {
      ctx.beginPath();
      ctx.ellipse(dot.x, dot.y, dot.radius, dot.radius, 0, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (degradation.blur > 0 || degradation.noise > 0) {
      const image = ctx.getImageData(0, 0, width, height);
      gaussianBlur(image.data, width, height, degradation.blur);
      addNoise(image.data, degradation.noise, rng);
      ctx.putImageData(image, 0, 0);
    }
    const data = degradation.jpegQuality === undefined ? await canvas.encode('png') : await canvas.encode('jpeg', degradation.jpegQuality);
    return { data, format: degradation.jpegQuality === undefined ? 'png' : 'jpeg', width, height, matrix };
  }

  return { families, measure, render };
}
