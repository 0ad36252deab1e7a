import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lastValueFrom } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';

/** A full, synchronous GC (the flag is set at run time, so jest needs no --expose-gc). */
const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

describe('the in-memory cluster over a long run (soak finding)', () => {
  it('lets closed transports go: a closed one is collectable once the next transport is made', async () => {
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const make = async (): Promise<WeakRef<object>> => {
      const t = cluster.transport({ clientId: 'short-lived' });
      await lastValueFrom(t.close(), { defaultValue: undefined });
      return new WeakRef(t);
    };
    const closed = await make();
    const open = cluster.transport({ clientId: 'next' });
    await new Promise((r) => setImmediate(r)); // WeakRef targets stay alive until the current job ends
    gc();
    expect(closed.deref()).toBeUndefined();
    expect(open.isClosed).toBe(false);
  });
});
