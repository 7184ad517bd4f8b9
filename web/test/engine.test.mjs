// engine.mjs's parts that need no Pyodide: the sparse restore of a memory snapshot.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sparseSet } from "../src/engine.mjs";

const PAGE = 4096;

function body(pages, filled) {
  const bytes = new Uint8Array(pages * PAGE);
  for (const page of filled) bytes.fill(page + 1, page * PAGE + 7, page * PAGE + 900);
  return bytes;
}

test("a sparse restore leaves the memory exactly as a plain copy does", () => {
  const snapshot = body(8, [0, 3, 7]); // pages 1, 2, 4, 5, 6 are zeros
  for (const offset of [0, PAGE, 12]) {
    const plain = new Int8Array(16 * PAGE);
    const sparse = new Int8Array(16 * PAGE);
    // Memory already written where the snapshot has zeros (page 5) must end up zero too.
    for (const heap of [plain, sparse]) heap.fill(9, offset + 5 * PAGE + 100, offset + 5 * PAGE + 200);
    plain.set(snapshot, offset);
    const skipped = sparseSet(sparse, snapshot, offset);
    assert.deepEqual(sparse, plain, `offset ${offset}`);
    // Zero in both: left alone (pages 1, 2, 4 and 6); page 5 was zeroed, not skipped.
    assert.equal(skipped, 4 * PAGE, `offset ${offset}`);
  }
});

test("a body that is not 4-byte aligned is copied plainly", () => {
  const snapshot = body(3, [1]).subarray(1);
  const heap = new Int8Array(4 * PAGE).fill(5);
  const plain = heap.slice();
  plain.set(snapshot, 0);
  assert.equal(sparseSet(heap, snapshot, 0), 0);
  assert.deepEqual(heap, plain);
});
