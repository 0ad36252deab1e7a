import { of, Subject } from 'rxjs';
import { Committer } from '../../../src/sources/committer';
import { OffsetLedger } from '../../../src/protocol/offset-ledger';
import type { OffsetCommitRequest, PartitionResult, Transport } from '../../../src/transport';

/** A transport whose OffsetCommits stay in flight until the test answers them. */
const pendingCommits = () => {
  const sent: { request: OffsetCommitRequest; reply: Subject<readonly PartitionResult[]> }[] = [];
  const transport = {
    findCoordinator: () => of({ nodeId: 1, host: '127.0.0.1', port: 9092 }),
    offsetCommit: (request: OffsetCommitRequest) => {
      const reply = new Subject<readonly PartitionResult[]>();
      sent.push({ request, reply });
      return reply;
    },
  } as unknown as Transport;
  const answer = (i: number) => {
    const s = sent[i];
    if (!s) throw new Error(`no commit #${i}`);
    s.reply.next(s.request.offsets.map(({ topic, partition }) => ({ topic, partition })));
    s.reply.complete();
  };
  return { transport, sent, answer };
};

describe('Committer', () => {
  const setup = () => {
    const t = pendingCommits();
    const ledger = new OffsetLedger({ creditReturn: 'emit' });
    ledger.assign('t', 0, 1, 0n);
    const committer = new Committer({
      transport: t.transport,
      groupId: 'g',
      ledger,
      identity: () => ({ memberId: 'm', generationId: 1 }),
      retry: { max: 3, initialBackoffMs: 100, maxBackoffMs: 1000 },
    });
    return { ...t, ledger, committer };
  };

  it('sends one OffsetCommit at a time: a commit asked for meanwhile waits, then sends the marks as they are by then', () => {
    const { sent, answer, ledger, committer } = setup();
    const done: number[] = [];
    ledger.mark('t', 0, 4n);
    committer.commit().subscribe({ complete: () => done.push(1) });
    ledger.mark('t', 0, 9n);
    committer.commit().subscribe({ complete: () => done.push(2) });
    committer.commit().subscribe({ complete: () => done.push(3) });
    expect(sent.map((s) => s.request.offsets.map((o) => o.offset))).toEqual([[5n]]); // the others wait

    answer(0);
    expect(done).toEqual([1]);
    expect(sent.map((s) => s.request.offsets.map((o) => o.offset))).toEqual([[5n], [10n]]);

    answer(1);
    // The third found nothing left to commit: no request, done.
    expect(done).toEqual([1, 2, 3]);
    expect(sent).toHaveLength(2);
    expect(ledger.position('t', 0)).toEqual({ mark: 10n, committed: 10n, generationId: 1 });
  });

  it('a waiting commit that is cancelled does not let the next one overtake the commit in flight', () => {
    const { sent, answer, ledger, committer } = setup();
    ledger.mark('t', 0, 1n);
    committer.commit().subscribe();
    ledger.mark('t', 0, 2n);
    committer.commit().subscribe().unsubscribe(); // gave up while waiting
    committer.commit().subscribe();
    expect(sent).toHaveLength(1);

    answer(0);
    expect(sent.map((s) => s.request.offsets.map((o) => o.offset))).toEqual([[2n], [3n]]);
  });
});
