import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throwsCode } from '../../test/helpers/domain-errors';
import { parsePageSelector, selectPages } from './page-selector';

describe('parsePageSelector', () => {
  it('reads pages, ranges and open ranges, tolerating spaces', () => {
    assert.deepEqual(parsePageSelector('1-3,5'), [{ first: 1, last: 3 }, { first: 5, last: 5 }]);
    assert.deepEqual(parsePageSelector(' 2 - 4 , 7- '), [{ first: 2, last: 4 }, { first: 7, last: undefined }]);
  });

  it('rejects malformed selectors as INVALID_PAGES', () => {
    for (const selector of ['', ' , ', 'a', '1-2-3', '0', '0-2', '3-1', '1,,2', '-2', '1.5', '1;2']) {
      throwsCode(() => parsePageSelector(selector), 'INVALID_PAGES');
    }
  });
});

describe('selectPages', () => {
  it('selects every page without a selector', () => {
    assert.deepEqual(selectPages(undefined, 3, 10), [0, 1, 2]);
    assert.deepEqual(selectPages(' ', 2, 10), [0, 1]);
  });

  it('returns 0-based indices in document order without repeats', () => {
    assert.deepEqual(selectPages('5,1-3,2', 6, 10), [0, 1, 2, 4]);
    assert.deepEqual(selectPages('4-', 6, 10), [3, 4, 5]);
  });

  it('rejects pages past the end as PAGES_OUT_OF_RANGE', () => {
    const error = throwsCode(() => selectPages('2-4', 3, 10), 'PAGES_OUT_OF_RANGE');
    assert.equal(error.details?.pageCount, 3);
    throwsCode(() => selectPages('4-', 3, 10), 'PAGES_OUT_OF_RANGE');
  });

  it('applies the page limit to the selected pages', () => {
    throwsCode(() => selectPages(undefined, 3, 2), 'TOO_MANY_PAGES');
    throwsCode(() => selectPages('1-3', 100, 2), 'TOO_MANY_PAGES');
    assert.deepEqual(selectPages('2,99', 100, 2), [1, 98]);
  });

  it('rejects a document without pages as EMPTY_DOCUMENT', () => {
    throwsCode(() => selectPages(undefined, 0, 2), 'EMPTY_DOCUMENT');
  });
});
