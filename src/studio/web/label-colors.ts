/**
 * One colour per entity label, the same on every page and in the legend. Each is dark enough for a 2 px outline
 * and white legend text on it to pass WCAG AA (contrast ≥ 4.5 against white).
 */

export const PALETTE = ['#1f5fbf', '#b3261e', '#1b7a3a', '#8a4b00', '#6b3fa0', '#00707a', '#a3246d', '#4d5b00', '#505050', '#0b5394'] as const;

/** FUNSD's four labels keep fixed colours, so screenshots and habits carry over between models. */
const KNOWN: Record<string, string> = { QUESTION: PALETTE[0], ANSWER: PALETTE[2], HEADER: PALETTE[1], OTHER: PALETTE[8] };

export function labelColors(labels: Iterable<string>): Map<string, string> {
  const colours = new Map<string, string>();
  const unknown = [...new Set(labels)].filter((label) => !(label in KNOWN)).sort();
  const free = PALETTE.filter((colour) => !Object.values(KNOWN).includes(colour));
  for (const label of new Set(labels)) if (label in KNOWN) colours.set(label, KNOWN[label]);
  unknown.forEach((label, index) => colours.set(label, free[index % free.length]));
  return colours;
}

/** WCAG relative-luminance contrast of two #rrggbb colours (1–21). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const channels = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
    const [r, g, bl] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
