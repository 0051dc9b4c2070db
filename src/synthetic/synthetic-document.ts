import { PixelBox } from '../common/document-types';
import { CLEAN, Degradation, quadToBox, sampleDegradation } from './degradation';
import { COMPOSERS, DocumentType } from './document-types';
import { FontFamily, FontStyle } from './fonts';
import { PageRenderer } from './page-canvas';
import { layoutWords, PageBuilder, PageLayout } from './page-layout';
import { Palette } from './page-parts';
import { between, pick, Random, seededRandom } from './random';

/** One synthetic document: its image as the model sees it, its words and fields in that image's pixels. */
export interface SyntheticDocument {
  type: DocumentType;
  image: Buffer;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  words: Array<{ text: string; box: PixelBox; segment: number }>;
  fields: Array<{ name: string; value: string; wordIds: number[]; box: PixelBox }>;
  degradation: Degradation;
}

function palette(families: readonly FontFamily[], rng: Random): Palette {
  const of = (...styles: FontStyle[]) => families.filter((family) => styles.includes(family.style)).map((family) => family.name);
  const mono = of('mono');
  const script = of('script');
  return {
    body: pick(rng, of('serif', 'sans')),
    heading: pick(rng, of('serif', 'sans')),
    mono: mono.length > 0 ? pick(rng, mono) : pick(rng, of('sans')),
    script: script.length > 0 ? pick(rng, script) : pick(rng, of('serif')),
  };
}

/** Lays out one document of `type` (page units): fonts, margins and size drawn from `rng`. */
export function composeDocument(type: DocumentType, rng: Random, renderer: Pick<PageRenderer, 'families' | 'measure'>): PageLayout {
  const fonts = palette(renderer.families, rng);
  const landscape = type === 'presentation' && rng() < 0.5;
  const margin = () => between(rng, 45, 100);
  const b = new PageBuilder(type, landscape ? 1100 : 850, landscape ? 850 : 1100, { left: margin(), right: margin(), top: between(rng, 35, 90), bottom: between(rng, 40, 80) }, renderer.measure, fonts.body);
  b.size = between(rng, 12, 16);
  COMPOSERS[type]({ b, rng, fonts });
  return b.page();
}

/** Composes, degrades and renders one document; the same (type, seed, installed fonts) give the same bytes. */
export async function generateDocument(type: DocumentType, seed: number, renderer: PageRenderer, options: { clean?: boolean } = {}): Promise<SyntheticDocument> {
  const rng = seededRandom(seed);
  const layout = composeDocument(type, rng, renderer);
  const degradation = options.clean ? CLEAN : sampleDegradation(rng);
  const rendered = await renderer.render(layout, degradation, rng);
  const { words, fields } = layoutWords(layout, renderer.measure);
  const boxes = words.map((word) => quadToBox(word.quad, rendered.matrix, rendered.width, rendered.height));
  return {
    type,
    image: rendered.data,
    format: rendered.format,
    width: rendered.width,
    height: rendered.height,
    words: words.map((word, i) => ({ text: word.text, box: boxes[i], segment: word.segment })),
    fields: fields.map((field) => {
      const own = field.wordIds.map((id) => boxes[id]);
      const box: PixelBox = [Math.min(...own.map((b) => b[0])), Math.min(...own.map((b) => b[1])), Math.max(...own.map((b) => b[2])), Math.max(...own.map((b) => b[3]))];
      return { ...field, box };
    }),
    degradation,
  };
}
