import { elapsedMs, PipelineTimings } from './document-pipeline.service';

/** Request-level timings of every endpoint: what was spent where, and whether the page cache answered. */
export interface RequestTimings {
  totalMs: number;
  decodeMs: number;
  ocrMs: number;
  imageEncoderMs: number;
  modelMs: number;
  cacheHit: boolean;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function requestTimings(started: number, timings: PipelineTimings): RequestTimings {
  return {
    totalMs: elapsedMs(started),
    decodeMs: round(timings.decodeMs),
    ocrMs: round(timings.ocrMs),
    imageEncoderMs: round(timings.imageEncoderMs),
    modelMs: round(timings.modelMs),
    cacheHit: timings.cacheHit,
  };
}
