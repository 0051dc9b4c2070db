import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { classifyEvaluation } from '../evaluation/classify-evaluation';
import { EvalArgs, EvalDataset, parseEvalArgs } from '../evaluation/cli-args';
import { evaluateFunsdEntities } from '../evaluation/funsd-evaluation';
import { evaluateFunsdLinks } from '../evaluation/funsd-links-evaluation';
import { evaluateFunsdOcr } from '../evaluation/ocr-evaluation';
import { EvaluationReport, evaluateFunsdQa, evaluateQaManifest } from '../evaluation/qa-evaluation';
import { OcrEngineName } from '../ocr/ocr-engine';

/**
 * `eval`: drives the served pipeline (real app, OCR and ONNX bundles, over HTTP) over a labelled split and scores
 * it — FUNSD entities through /v1/extract, FUNSD-QA or a QA manifest through /v1/ask, FUNSD words read by the
 * service's OCR, a classification manifest through /v1/classify. See docs/evaluation.md.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

const EVALUATIONS: Record<EvalDataset, (args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void) => Promise<EvaluationReport>> = {
  funsd: evaluateFunsdEntities,
  'funsd-links': evaluateFunsdLinks,
  'funsd-qa': evaluateFunsdQa,
  'funsd-ocr': evaluateFunsdOcr,
  classify: classifyEvaluation,
  qa: evaluateQaManifest,
};

/** The evaluation once per OCR engine, each on a service configured as AETNET_OCR_ENGINE=<engine> would. */
async function perEngine(args: EvalArgs, engines: readonly OcrEngineName[], log: (line: string) => void): Promise<EvaluationReport> {
  const lines: string[] = [];
  const runs: Array<{ engine: OcrEngineName; report: object }> = [];
  for (const engine of engines) {
    const config = loadAppConfig({ LOG_LEVEL: 'warn', ...process.env, AETNET_OCR_ENGINE: engine });
    const result = await EVALUATIONS[args.dataset](args, config, log);
    lines.push(`## AETNET_OCR_ENGINE=${engine}`, ...result.lines, '');
    runs.push({ engine, report: result.report });
  }
  return { lines, report: { dataset: args.dataset, split: args.split, runs } };
}

async function main(argv: string[]): Promise<number> {
  let args: EvalArgs;
  let config: Readonly<AppConfig>;
  try {
    args = parseEvalArgs(argv, REPO_ROOT);
    config = loadAppConfig({ LOG_LEVEL: 'warn', ...process.env });
  } catch (error) {
    process.stderr.write(`eval: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const { lines, report } = args.ocrEngines ? await perEngine(args, args.ocrEngines, log) : await EVALUATIONS[args.dataset](args, config, log);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (args.json !== undefined) {
      await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
      process.stderr.write(`eval: wrote ${args.json}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`eval: failed: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit explicitly: a worker that outlives app.close() must not keep a finished run alive.
main(process.argv.slice(2)).then((code) => process.exit(code));
