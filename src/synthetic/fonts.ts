/**
 * The font faces the synthetic generator may use: Debian's packaged fonts (fonts-dejavu-core, fonts-liberation,
 * fonts-freefont-ttf, fonts-urw-base35; install.sh installs the last three when it may). Only the faces present
 * on the machine are used, so the pages a seed gives depend on which of these packages are installed.
 */

export type FontStyle = 'serif' | 'sans' | 'mono' | 'script';

export interface FontFamily {
  name: string;
  style: FontStyle;
  regular: string;
  bold: string;
}

const DEJAVU = '/usr/share/fonts/truetype/dejavu';
const LIBERATION = '/usr/share/fonts/truetype/liberation';
const FREEFONT = '/usr/share/fonts/truetype/freefont';
const URW = '/usr/share/fonts/opentype/urw-base35';

export const FONT_FAMILIES: readonly FontFamily[] = [
  { name: 'DejaVu Sans', style: 'sans', regular: `${DEJAVU}/DejaVuSans.ttf`, bold: `${DEJAVU}/DejaVuSans-Bold.ttf` },
  { name: 'DejaVu Serif', style: 'serif', regular: `${DEJAVU}/DejaVuSerif.ttf`, bold: `${DEJAVU}/DejaVuSerif-Bold.ttf` },
  { name: 'DejaVu Sans Mono', style: 'mono', regular: `${DEJAVU}/DejaVuSansMono.ttf`, bold: `${DEJAVU}/DejaVuSansMono-Bold.ttf` },
  { name: 'DejaVu Sans Condensed', style: 'sans', regular: `${DEJAVU}/DejaVuSansCondensed.ttf`, bold: `${DEJAVU}/DejaVuSansCondensed-Bold.ttf` },
  { name: 'Liberation Sans', style: 'sans', regular: `${LIBERATION}/LiberationSans-Regular.ttf`, bold: `${LIBERATION}/LiberationSans-Bold.ttf` },
  { name: 'Liberation Serif', style: 'serif', regular: `${LIBERATION}/LiberationSerif-Regular.ttf`, bold: `${LIBERATION}/LiberationSerif-Bold.ttf` },
  { name: 'Liberation Mono', style: 'mono', regular: `${LIBERATION}/LiberationMono-Regular.ttf`, bold: `${LIBERATION}/LiberationMono-Bold.ttf` },
  { name: 'Liberation Sans Narrow', style: 'sans', regular: `${LIBERATION}/LiberationSansNarrow-Regular.ttf`, bold: `${LIBERATION}/LiberationSansNarrow-Bold.ttf` },
  { name: 'FreeSans', style: 'sans', regular: `${FREEFONT}/FreeSans.ttf`, bold: `${FREEFONT}/FreeSansBold.ttf` },
  { name: 'FreeSerif', style: 'serif', regular: `${FREEFONT}/FreeSerif.ttf`, bold: `${FREEFONT}/FreeSerifBold.ttf` },
  { name: 'FreeMono', style: 'mono', regular: `${FREEFONT}/FreeMono.ttf`, bold: `${FREEFONT}/FreeMonoBold.ttf` },
  { name: 'Nimbus Roman', style: 'serif', regular: `${URW}/NimbusRoman-Regular.otf`, bold: `${URW}/NimbusRoman-Bold.otf` },
  { name: 'Nimbus Sans', style: 'sans', regular: `${URW}/NimbusSans-Regular.otf`, bold: `${URW}/NimbusSans-Bold.otf` },
  { name: 'Nimbus Mono', style: 'mono', regular: `${URW}/NimbusMonoPS-Regular.otf`, bold: `${URW}/NimbusMonoPS-Bold.otf` },
  { name: 'C059', style: 'serif', regular: `${URW}/C059-Roman.otf`, bold: `${URW}/C059-Bold.otf` },
  { name: 'P052', style: 'serif', regular: `${URW}/P052-Roman.otf`, bold: `${URW}/P052-Bold.otf` },
  { name: 'URW Bookman', style: 'serif', regular: `${URW}/URWBookman-Light.otf`, bold: `${URW}/URWBookman-Demi.otf` },
  { name: 'URW Gothic', style: 'sans', regular: `${URW}/URWGothic-Book.otf`, bold: `${URW}/URWGothic-Demi.otf` },
  { name: 'Z003', style: 'script', regular: `${URW}/Z003-MediumItalic.otf`, bold: `${URW}/Z003-MediumItalic.otf` },
  { name: 'DejaVu Serif Italic', style: 'script', regular: `${DEJAVU}/DejaVuSerif-Italic.ttf`, bold: `${DEJAVU}/DejaVuSerif-BoldItalic.ttf` },
];

/** The families whose two files exist; DejaVu (fonts-dejavu-core, a dependency of the image stack) always must. */
export function availableFamilies(exists: (path: string) => boolean): FontFamily[] {
  const found = FONT_FAMILIES.filter((family) => exists(family.regular) && exists(family.bold));
  if (!found.some((family) => family.style === 'sans') || !found.some((family) => family.style === 'serif')) {
    throw new Error(`no serif and sans fonts found (expected at least DejaVu under ${DEJAVU}: apt-get install fonts-dejavu-core)`);
  }
  return found;
}
