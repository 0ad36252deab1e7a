import { TestScheduler } from 'rxjs/testing';
import { formatStatus, startStatusLine } from '../../../src/cli/status-line';

describe('the CLI status line', () => {
  it('formats messages/s, total lag and the partitions held', () => {
    expect(formatStatus({ messagesPerSecond: 1234.4, lag: { t: { 0: 50n, 1: 6n } }, held: { t: [0, 1], u: [2] } })).toBe('1,234 msg/s  lag 56  partitions 3 (t:0,1 u:2)');
  });

  it('redraws in place on a terminal every second, and clears itself when stopped', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(() => {
      const written: string[] = [];
      let count = 0;
      const line = startStatusLine({ isTTY: true, write: (c) => written.push(c) }, () => ({ count, lag: {}, held: { t: [0] } }), ts);
      ts.schedule(() => (count = 500), 500);
      ts.schedule(() => (count = 700), 1500);
      ts.schedule(() => line.stop(), 2500);
      ts.flush();
      expect(written).toEqual(['\r\x1b[K500 msg/s  lag 0  partitions 1 (t:0)', '\r\x1b[K200 msg/s  lag 0  partitions 1 (t:0)', '\r\x1b[K']);
    });
  });

  it('writes nothing when the target is not a terminal', () => {
    const written: string[] = [];
    startStatusLine({ isTTY: false, write: (c) => written.push(c) }, () => ({ count: 1, lag: {}, held: {} })).stop();
    expect(written).toEqual([]);
  });
});
