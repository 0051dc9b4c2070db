import { encodePage, LayoutTokenizer } from '../layout';
import { ClassifyExample, classLabels, readClassifyFolders, readClassifyManifest } from '../datasets/classify-reader';
import { LoadPages } from './document-pages';
import { assertUniqueDocIds, SPLIT_NAMES } from '../datasets/jsonl-manifest';
import { PrepareArgs } from './prepare-args';
import { PreparedDatasetWriter } from '../datasets/prepared-writer';

export interface ClassifySplitSummary {
  documents: number;
  pages: number;
  windows: number;
  maxTokensPerPage: number;
  documentsByLabel: Record<string, number>;
}

export function formatClassifySummary(split: string, summary: ClassifySplitSummary): string {
  const byLabel = Object.entries(summary.documentsByLabel).map(([label, count]) => `${label} ${count}`).join(', ');
  return `${split}: ${summary.documents} documents, ${summary.pages} pages, ${summary.windows} windows, max ${summary.maxTokensPerPage} tokens per page (${byLabel})`;
}

async function readExamples(args: PrepareArgs): Promise<ClassifyExample[]> {
  return args.format === 'folders' ? readClassifyFolders(args.input, args.labels) : readClassifyManifest(args.input, args.labels);
}

/** Classification: every page of a document → its own windows, each carrying the document's class. */
export async function prepareClassify(
  args: PrepareArgs,
  tokenizer: LayoutTokenizer,
  writer: PreparedDatasetWriter,
  loadPages: LoadPages,
  log: (line: string) => void,
): Promise<Record<string, ClassifySplitSummary>> {
  const examples = await readExamples(args);
  assertUniqueDocIds(examples);
  const labels = classLabels(examples, args.labels);
  const summaries: Record<string, ClassifySplitSummary> = {};
  for (const split of SPLIT_NAMES) {
    writer.openSplit(split);
    summaries[split] = { documents: 0, pages: 0, windows: 0, maxTokensPerPage: 0, documentsByLabel: Object.fromEntries(labels.map((label) => [label, 0])) };
  }
  for (const example of examples) {
    const summary = summaries[example.split];
    const classLabel = labels.indexOf(example.label);
    for (const { image, words } of await loadPages(example.imagePath, example.words, example.source)) {
      const paths = await writer.pageImages(example.docId, image.index, image);
      const tokens = await tokenizer.tokenizeWords(words.map((word) => word.text));
      const encoded = encodePage(tokens, words, image, tokenizer.special, args);
      for (const [windowIndex, { labels: _tokenLabels, ...window }] of encoded.windows.entries()) {
        await writer.writeWindow(example.split, {
          docId: example.docId,
          page: image.index,
          window: windowIndex,
          ...window,
          classLabel,
          ...paths,
          width: image.width,
          height: image.height,
        });
      }
      summary.pages += 1;
      summary.windows += encoded.windows.length;
      summary.maxTokensPerPage = Math.max(summary.maxTokensPerPage, encoded.tokenCount);
    }
    summary.documents += 1;
    summary.documentsByLabel[example.label] += 1;
  }
  for (const split of SPLIT_NAMES) log(formatClassifySummary(split, summaries[split]));
  await writer.finish({
    task: 'classify',
    source: args.format,
    labels,
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: args.maxLength,
    windowStride: args.stride,
    imageSize: args.imageSize,
    splits: Object.fromEntries(SPLIT_NAMES.map((split) => [split, { documents: summaries[split].documents, windows: summaries[split].windows }])),
  });
  return summaries;
}
