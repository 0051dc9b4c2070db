import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { AppConfig } from '../config/app-config';
import { ServedModel } from './service-client';

/** The installed onnxruntime-node version (its package.json; the SDK itself is imported only by the model adapter). */
export function onnxRuntimeVersion(): string {
  try {
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** One paragraph saying where numbers were measured, so readers can compare runs. */
export function describeMachine(config: Readonly<AppConfig>, models: readonly ServedModel[]): string[] {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const providers = models.map((m) => `${m.id}@${m.version}: ${m.executionProvider}`).join(', ') || 'none';
  return [
    `machine: ${cpu}, ${availableParallelism()} cores available, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}`,
    `runtime: Node ${process.version}, onnxruntime-node ${onnxRuntimeVersion()}; OCR workers ${config.ocrWorkers}, inference workers ${config.inferenceWorkers}, ` +
      `ORT intra-op threads ${config.inferenceThreads || 'default'}; models: ${providers}`,
    `OCR: ${describeOcrEngine(config)}`,
  ];
}

/** The engine and the settings that change what it reads, as the table's first column. */
export function describeOcrEngine(config: Readonly<AppConfig>): string {
  if (config.ocrEngine === 'tesseract') {
    const normalise = config.tesseractNormalise ? ', normalised' : '';
    return `tesseract.js ${config.tesseractData}, PSM ${config.tesseractPageSegMode}, upscale to ${config.ocrUpscaleToLongSide} px${normalise}, ${config.ocrWorkers} workers`;
  }
  return (
    `PP-OCRv6 det ${config.ppocrDetector} @ ${config.ppocrDetectLongSide} px + rec ${config.ppocrRecognizer}` +
    `${config.ppocrLatinOnly ? ' (Latin)' : ''}, ${config.ocrWorkers} workers × ${config.ppocrThreads} threads`
  );
}
