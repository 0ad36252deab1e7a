import { concatMap, from, lastValueFrom, tap, throwError, timer, toArray } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { handleEach } from '../../../src/operators/handle-each';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;
const where = (e: KafkaClientError) => ({ tag: e._tag, topic: e.context.topic, partition: e.context.partition, offset: e.context.offset, cause: String(e.cause) });

describe('application errors (in-memory broker, virtual time)', () => {
  it('a handler that throws: the subscriber gets a HandlerError with the message coordinates and the cause; what was marked before is committed; the member leaves', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(10));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const failed: KafkaClientError[] = [];
      group.messages$
        .pipe(
          handleEach((m) => {
            if (m.offset === 5n) throw new Error('cannot handle 5');
          }),
          markOffsets(group),
        )
        .subscribe({ error: (e: KafkaClientError) => failed.push(e) });
      ts.flush();
      expect(failed.map(where)).toEqual([{ tag: 'HandlerError', topic: 't', partition: 0, offset: 5n, cause: 'Error: cannot handle 5' }]);
      expect(cluster.committed('g')).toEqual({ 't/0': 5n });
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('a handler whose Observable errors later: the same, once the Observable fails', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(10));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const failed: { at: number; error: KafkaClientError }[] = [];
      group.messages$
        .pipe(
          handleEach((m) => timer(100).pipe(concatMap(() => (m.offset === 3n ? throwError(() => new Error('store down')) : [m])))),
          markOffsets(group),
        )
        .subscribe({ error: (error: KafkaClientError) => failed.push({ at: ts.now(), error }) });
      ts.flush();
      expect(failed.map((f) => where(f.error))).toEqual([{ tag: 'HandlerError', topic: 't', partition: 0, offset: 3n, cause: 'Error: store down' }]);
      expect(failed[0]?.at).toBe(400); // four handlers of 100 ms each: 0, 1, 2 succeed, 3 fails
      expect(cluster.committed('g')).toEqual({ 't/0': 3n });
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('a user deserializer that throws (JSON.parse on a bad record): HandlerError naming that record, the cause is the SyntaxError; earlier records committed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 1, [{ value: '{"n":0}' }, { value: '{"n":1}' }, { value: '{"n":' }, { value: '{"n":3}' }]);
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const parsed: unknown[] = [];
      const failed: KafkaClientError[] = [];
      group.messages$
        .pipe(
          handleEach((m) => void parsed.push(JSON.parse(String(m.value)))),
          markOffsets(group),
        )
        .subscribe({ error: (e: KafkaClientError) => failed.push(e) });
      ts.flush();
      expect(parsed).toEqual([{ n: 0 }, { n: 1 }]);
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ _tag: 'HandlerError', context: { topic: 't', partition: 1, offset: 2n } });
      expect(failed[0]?.cause).toBeInstanceOf(SyntaxError);
      expect(cluster.committed('g')).toEqual({ 't/1': 2n });
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('partition mode: a handler failing on one partition ends only that partition stream, with the coordinates; the other partition is consumed and committed, the member stays until closed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(3));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const got: string[] = [];
      const failed: KafkaClientError[] = [];
      group.partitions$.subscribe((p) =>
        p
          .pipe(
            handleEach((m) => {
              if (m.partition === 0 && m.offset === 1n) throw new Error('bad record');
            }),
            tap((m) => got.push(id(m))),
            markOffsets(group),
          )
          .subscribe({ error: (e: KafkaClientError) => failed.push(e) }),
      );
      let membersBeforeClose = -1;
      timer(3000).subscribe(() => cluster.produce('t', 1, values(2, 'late')));
      timer(5000).subscribe(() => {
        membersBeforeClose = cluster.members('g').length;
        group.close().subscribe();
      });
      ts.flush();
      expect(failed.map(where)).toEqual([{ tag: 'HandlerError', topic: 't', partition: 0, offset: 1n, cause: 'Error: bad record' }]);
      expect(got.sort()).toEqual(['0/0', '1/0', '1/1', '1/2', '1/3', '1/4']);
      expect(membersBeforeClose).toBe(1);
      expect(cluster.committed('g')).toEqual({ 't/0': 1n, 't/1': 5n });
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('with concurrency: the first failure ends the stream as a HandlerError; only the contiguous handled prefix is committed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(8));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const failed: KafkaClientError[] = [];
      // Offsets 0..3 run at once; 1 fails at 50 ms, before 0 (100 ms) completes.
      const delay = (m: KafkaMessage) => (m.offset === 0n ? 100 : m.offset === 1n ? 50 : 10);
      group.messages$
        .pipe(
          handleEach((m) => timer(delay(m)).pipe(concatMap(() => (m.offset === 1n ? throwError(() => new Error('nope')) : [m]))), { concurrency: 4 }),
          markOffsets(group, { outOfOrder: true }),
        )
        .subscribe({ error: (e: KafkaClientError) => failed.push(e) });
      ts.flush();
      expect(failed.map(where)).toEqual([{ tag: 'HandlerError', topic: 't', partition: 0, offset: 1n, cause: 'Error: nope' }]);
      expect(cluster.committed('g')).toEqual({}); // 2 and 3 were handled, but 0 never finished: nothing contiguous from 0
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('a handler returning a rejected Promise: HandlerError with the coordinates; a resolved one lets the message through', async () => {
    const msgs = [
      { topic: 't', partition: 2, offset: 7n },
      { topic: 't', partition: 2, offset: 8n },
    ];
    const through: bigint[] = [];
    const run = lastValueFrom(from(msgs).pipe(handleEach((m) => (m.offset === 8n ? Promise.reject(new Error('async nope')) : Promise.resolve())), tap((m) => through.push(m.offset)), toArray()));
    await expect(run).rejects.toMatchObject({ _tag: 'HandlerError', context: { topic: 't', partition: 2, offset: 8n } });
    expect(through).toEqual([7n]);
  });
});
