import { expect } from 'chai';
import { MemoryStore } from '../../engine/index.js';
import { compareStartViews } from './startProcessView.js';

describe('startProcess on the memory store', () => {
  it('answers what getInstance reads back, for every fixture process', async () => {
    expect(await compareStartViews(async () => new MemoryStore())).to.be.greaterThan(20);
  });
});
