import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetProblems, documentId, MANIFEST_FILE, planFolders, planFunsd, planJsonl, stripSharedRoot, withoutJunk } from './dataset-validators';

const funsdAnnotation = (label = 'question') =>
  JSON.stringify({ form: [{ id: 0, label, words: [{ text: 'Name:', box: [10, 10, 80, 30] }, { text: 'first', box: [90, 10, 140, 30] }], linking: [] }] });

describe('paths', () => {
  it('drops archiver junk and a shared wrapper folder', () => {
    assert.deepEqual(withoutJunk(['__MACOSX/a', 'x/.DS_Store', 'images/a.png']), ['images/a.png']);
    assert.deepEqual(stripSharedRoot(['set/images/a.png', 'set/annotations/a.json'], new Set(['images'])).paths, ['images/a.png', 'annotations/a.json']);
    assert.deepEqual(stripSharedRoot(['images/a.png', 'images/b.png'], new Set(['images'])).paths, ['images/a.png', 'images/b.png']);
  });

  it('makes unique, file-safe ids', () => {
    const taken = new Set<string>();
    assert.equal(documentId('a b/c', taken), 'a_b_c');
    assert.equal(documentId('a b/c', taken), 'a_b_c-2');
    assert.equal(documentId('..', taken), 'doc');
  });
});

describe('planFunsd', () => {
  it('pairs images with annotations and turns entities into BIO words', () => {
    const plan = planFunsd(['images/f1.png', 'annotations/f1.json', 'images/orphan.png'], new Map([['annotations/f1.json', funsdAnnotation()]]));
    assert.equal(plan.documents.length, 1);
    assert.equal(plan.documents[0].id, 'f1');
    assert.deepEqual(plan.documents[0].wordTags, ['B-QUESTION', 'I-QUESTION']);
    assert.deepEqual(plan.problems.map((p) => [p.file, p.severity]), [['images/orphan.png', 'warning']]);
  });

  it('keeps the FUNSD split folders', () => {
    const texts = new Map([
      ['training_data/annotations/a.json', funsdAnnotation()],
      ['testing_data/annotations/b.json', funsdAnnotation()],
    ]);
    const plan = planFunsd(['training_data/images/a.png', 'training_data/annotations/a.json', 'testing_data/images/b.png', 'testing_data/annotations/b.json'], texts);
    assert.deepEqual(plan.documents.map((d) => [d.id, d.split]), [['b', 'test'], ['a', 'train']]);
  });

  it('reads a label of the dataset\'s own as an entity type', () => {
    const plan = planFunsd(['images/r.png', 'annotations/r.json'], new Map([['annotations/r.json', funsdAnnotation('Total amount')]]));
    assert.deepEqual(plan.documents[0].wordTags, ['B-TOTAL AMOUNT', 'I-TOTAL AMOUNT']);
  });

  it('reports an invalid label, bad JSON and a missing image by file and field', () => {
    const texts = new Map([
      ['annotations/a.json', funsdAnnotation('')],
      ['annotations/b.json', '{not json'],
      ['annotations/c.json', funsdAnnotation()],
    ]);
    const plan = planFunsd(['images/a.png', 'annotations/a.json', 'images/b.png', 'annotations/b.json', 'annotations/c.json'], texts);
    assert.equal(plan.documents.length, 0);
    const errors = plan.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map((p) => [p.file, p.field, p.code]), [
      ['annotations/a.json', 'form[0].label', 'INVALID_LABEL'],
      ['annotations/b.json', undefined, undefined],
      ['annotations/c.json', undefined, undefined],
    ]);
  });
});

describe('FUNSD links in the report', () => {
  it('names a link to a missing entity by file, field and id, and sums links between labels that cannot pair', () => {
    const annotation = JSON.stringify({
      form: [
        { id: 0, label: 'header', words: [{ text: 'FORM', box: [0, 0, 40, 10] }], linking: [[0, 1]] },
        { id: 1, label: 'question', words: [{ text: 'Name:', box: [0, 20, 40, 30] }], linking: [[0, 1], [1, 7]] },
      ],
    });
    const plan = planFunsd(['images/f.png', 'annotations/f.json'], new Map([['annotations/f.json', annotation]]));
    assert.equal(plan.documents.length, 1, 'the document is still used for its entities');
    assert.deepEqual(
      plan.problems.map((p) => [p.file, p.field, p.severity, p.message]),
      [
        ['annotations/f.json', 'form[1].linking', 'warning', 'link [1, 7] names entity 7, which the annotation lacks: not used'],
        ['annotations/f.json', 'linking', 'warning', 'links between labels that do not pair as key → value (QUESTION → ANSWER): HEADER→QUESTION ×1; not used as pairs'],
      ],
    );
  });
});

describe('planFolders', () => {
  it('labels images by their folder', () => {
    const plan = planFolders(['invoice/a.png', 'letter/b.jpg', 'notes.txt']);
    assert.deepEqual(plan.documents.map((d) => [d.id, d.classLabel]), [['invoice_a', 'invoice'], ['letter_b', 'letter']]);
    assert.equal(plan.problems[0].file, 'notes.txt');
  });
});

describe('planJsonl', () => {
  const lines = (...objects: unknown[]) => new Map([[MANIFEST_FILE, objects.map((o) => JSON.stringify(o)).join('\n')]]);

  it('reads classify lines and flags missing images and fields', () => {
    const plan = planJsonl(['a.png', 'b.png', MANIFEST_FILE], lines({ image: 'a.png', label: 'invoice' }, { image: 'c.png', label: 'x' }, { image: 'b.png' }), 'classify');
    assert.deepEqual(plan.documents.map((d) => d.classLabel), ['invoice']);
    assert.deepEqual(plan.problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.field]), [[`${MANIFEST_FILE}:2`, 'image'], [`${MANIFEST_FILE}:3`, 'label']]);
  });

  it('groups ask questions by image and keeps answer word ids', () => {
    const plan = planJsonl(
      ['a.png', MANIFEST_FILE],
      lines({ image: 'a.png', question: 'Name?', answer: 'Ann', answer_word_ids: [1] }, { image: 'a.png', question: 'Date?', answer: '' }),
      'ask',
    );
    assert.equal(plan.documents.length, 1);
    assert.deepEqual(plan.documents[0].questions?.map((q) => [q.question, q.answers, q.answerWordIds]), [['Name?', ['Ann'], [1]], ['Date?', [], undefined]]);
  });

  it('reads extract words with entity names of its own or BIO labels and rejects invalid names', () => {
    const words = [
      { text: 'Name:', box: [0, 0, 10, 10], label: 'question' },
      { text: 'of', box: [11, 0, 20, 10], label: 'question' },
      { text: 'Ann', box: [30, 0, 40, 10], label: 'B-ANSWER' },
      { text: '12.50', box: [50, 0, 60, 10], label: 'price' },
      { text: 'x', box: [70, 0, 80, 10], label: 'other' },
    ];
    const bad = [{ text: 'x', box: [0, 0, 1, 1], label: '' }, { text: 'y', box: [0, 0, 1, 1], label: 'x'.repeat(41) }, { text: 'z', box: [0, 0, 1, 1], label: 'B-O' }];
    const plan = planJsonl(['a.png', 'b.png', MANIFEST_FILE], lines({ image: 'a.png', words }, { image: 'b.png', words: bad }), 'extract');
    assert.deepEqual(plan.documents[0].wordTags, ['B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'B-PRICE', 'O']);
    // Every refused word is reported (with the code the upload answers 400 with) and the line is dropped.
    assert.deepEqual(plan.problems.filter((p) => p.severity === 'error').map((p) => [p.field, p.code]), [['words[0].label', 'INVALID_LABEL'], ['words[1].label', 'INVALID_LABEL'], ['words[2].label', 'INVALID_LABEL']]);
  });

  it('requires the manifest', () => {
    assert.equal(planJsonl(['a.png'], new Map(), 'classify').problems[0].severity, 'error');
  });
});

describe('datasetProblems', () => {
  it('rejects an empty dataset and a one-class classifier', () => {
    assert.equal(datasetProblems([], 'extract').length, 1);
    assert.equal(datasetProblems([{ id: 'a', imagePath: 'a', classLabel: 'x' }, { id: 'b', imagePath: 'b', classLabel: 'x' }], 'classify').length, 1);
    assert.equal(datasetProblems([{ id: 'a', imagePath: 'a', classLabel: 'x' }, { id: 'b', imagePath: 'b', classLabel: 'y' }], 'classify').length, 0);
  });
});
