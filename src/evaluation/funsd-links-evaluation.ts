import { AppConfig } from '../config/app-config';
import { funsdGoldLinks } from '../datasets/funsd-links';
import { readFunsdForm } from '../datasets/funsd-reader';
import { EntityPair, geometricPairs } from '../heads/key-value-pairs';
import { EvalArgs } from './cli-args';
import { matchBoxes, matchSpans } from './entity-metrics';
import { listFunsdDocuments, loadFunsdDocument } from './funsd-documents';
import { predictedBoxes, predictedSpans, toClientWords } from './funsd-entities';
import { formatLinkScores, LinkCounter, pairLinks } from './link-metrics';
import { describeMachine } from './machine';
import { EvaluationReport } from './qa-evaluation';
import { ServiceClient } from './service-client';

/**
 * `eval --dataset funsd-links`: FUNSD key → value links (question → answer). (a) With gold entities, the standard
 * relation-extraction setting: the geometric baseline (heads/key-value-pairs.ts) and the served model (its
 * key-value head, in-process through the extract runner's pairing) pair the annotated entities.
 * (b) End to end: the pairs /v1/extract answers, from its own entities, with gold words and with our OCR; a link
 * counts when both its entities match linked gold entities (exact word sets; label + box IoU ≥ 0.5 with OCR).
 */

const linked = (pairs: readonly EntityPair[]): Array<[number, number]> => pairs.flatMap((pair) => (pair.value === null ? [] : [[pair.key, pair.value] as [number, number]]));

export async function evaluateFunsdLinks(args: EvalArgs, config: Readonly<AppConfig>, log: (line: string) => void): Promise<EvaluationReport> {
  const documents = await listFunsdDocuments(args.funsdDir, args.split, args.limit);
  const modes = args.mode === 'both' ? (['gold', 'ocr'] as const) : ([args.mode] as const);
  const geometric = new LinkCounter();
  const learned = new LinkCounter();
  let goldPairsFrom = '';
  const served = new Map(modes.map((mode) => [mode, new LinkCounter()]));
  let pairsFrom = '';
  const client = await ServiceClient.start(config);
  try {
    const machine = describeMachine(config, await client.models());
    let model: { id: string; version: string } | undefined;
    for (const [index, listed] of documents.entries()) {
      const [document, form] = await Promise.all([loadFunsdDocument(listed), readFunsdForm(listed.annotationPath)]);
      const gold = funsdGoldLinks(form);
      geometric.add(gold.links, linked(geometricPairs(gold.entities)));
      // The served model's pairing of the same gold entities (its key-value head; the rule when it has none).
      const onGold = await client.pairGoldEntities(document.image, toClientWords(document.words), gold.entities.map(({ label, box, wordIds }) => ({ label, box, words: wordIds })), args.model);
      goldPairsFrom = onGold.pairsFrom;
      learned.add(gold.links, linked(onGold.pairs));
      for (const mode of modes) {
        const { response } = await client.extract(document.image, { words: mode === 'gold' ? toClientWords(document.words) : undefined, model: args.model });
        model ??= response.model;
        const [page] = response.pages;
        pairsFrom = page.pairsFrom;
        const matched =
          mode === 'gold'
            ? matchSpans(gold.entities.map(({ label, wordIds }) => ({ label, wordIds })), predictedSpans(page.entities))
            : matchBoxes(gold.entities.map(({ label, box }) => ({ label, box })), predictedBoxes(page.entities));
        served.get(mode)?.add(gold.links, pairLinks(page.pairs), (entity) => matched.get(entity));
      }
      log(`eval [${index + 1}/${documents.length}] ${document.id}: ${gold.entities.length} gold entities, ${gold.links.length} links`);
    }
    const lines = [`FUNSD ${args.split} key-value links: ${documents.length} documents, model ${model ? `${model.id}@${model.version}` : 'none'} (pairs: ${pairsFrom})`, ...machine, ''];
    const report: Record<string, unknown> = { dataset: args.dataset, split: args.split, documents: documents.length, model, pairsFrom, machine };
    lines.push(formatLinkScores('(a) gold entities: geometric baseline', geometric.scores()));
    lines.push(formatLinkScores(`(a) gold entities: the served model (${goldPairsFrom})`, learned.scores()));
    report.goldEntitiesGeometric = geometric.scores();
    report.goldEntitiesServed = { pairsFrom: goldPairsFrom, ...learned.scores() };
    for (const [mode, counter] of served) {
      lines.push(formatLinkScores(`(b) end to end, ${mode === 'gold' ? 'gold words' : 'our OCR'}: /v1/extract pairs (${pairsFrom})`, counter.scores()));
      report[`endToEnd_${mode}`] = counter.scores();
    }
    return { lines, report };
  } finally {
    await client.close();
  }
}
