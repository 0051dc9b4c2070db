/** Pixel box on the original page: [x0, y0, x1, y1], x0 ≤ x1, y0 ≤ y1. */
export type PixelBox = [number, number, number, number];

/** One decoded page: orientation applied, flattened to 8-bit RGB PNG so OCR and the model see the same pixels. */
export interface PageImage {
  /** 0-based page index within the document. */
  index: number;
  width: number;
  height: number;
  png: Buffer;
  /** Words read from a PDF text layer (segment = line); when present they replace OCR. */
  textWords?: PageWord[];
}

/** A word with its pixel box: from OCR or supplied by the client. */
export interface PageWord {
  text: string;
  box: PixelBox;
  /** OCR confidence 0–1 (1 for client words). */
  confidence: number;
  /** Words sharing a segment id share one segment-level box (OCR line, or a client-given group). */
  segment: number;
}
