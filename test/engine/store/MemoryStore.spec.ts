import { MemoryStore } from '../../../engine/index.js';
import { storeContract } from './contract.js';

storeContract('MemoryStore', async () => new MemoryStore());
