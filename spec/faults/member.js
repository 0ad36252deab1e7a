// @ts-check
/**
 * One consumer-group member in its own process, for the fault suite (so the test can SIGKILL it). It uses the BUILT
 * library (dist/: `npm run build` first), consumes `messages$`, does a little asynchronous work per message (so a
 * kill can land mid-batch), marks each message, and appends one JSON line per event to `out`, written synchronously
 * (fs.writeSync) so a SIGKILL loses nothing that was recorded:
 *
 *   {"k":"m","t":…,"topic":…,"p":…,"o":"…","id":…,"member":…,"mark":"ok"}   processed, then marked (mark result)
 *   {"k":"e","t":…,"tag":…,"code":…,"retriable":…,"msg":…}                  errors$
 *   {"k":"n","t":…,"type":…,"gen":…}                                        notifications$ (rebalances)
 *   {"k":"fatal",…} / {"k":"closed","t":…}                                  messages$ failed / clean close done
 *
 * SIGTERM: group.close() (drain, commit, leave), then exit 0. Settings come as JSON in the RXK_MEMBER env var:
 * { brokers, groupId, topic, out, member, strategy, groupProtocol, sessionTimeoutMs, workMs, metadataRefreshMs?, proxyPorts? } where proxyPorts maps a broker
 * port to a loopback proxy port (every socket of this member then goes through the test's TcpProxy).
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { lastValueFrom, timer, concatMap, map } = require('rxjs');
const dist = path.join(__dirname, '..', '..', 'dist');
const { consumerGroup } = require(path.join(dist, 'index.js'));
const { createKafkajsTransport } = require(path.join(dist, 'transport', 'kafkajs', 'index.js'));

/** @type {{ brokers: string[], groupId: string, topic: string, out: string, member: string, strategy?: 'range' | 'cooperative-sticky', groupProtocol?: 'classic' | 'consumer', sessionTimeoutMs: number, workMs: number, metadataRefreshMs?: number, proxyPorts?: Record<string, number> }} */
const settings = JSON.parse(process.env.RXK_MEMBER || '{}');
const fd = fs.openSync(settings.out, 'a');
/** @param {Record<string, unknown>} line */
const record = (line) => fs.writeSync(fd, JSON.stringify({ ...line, t: Date.now() }) + '\n');

const proxyPorts = settings.proxyPorts;
/** Every socket of this member goes through the test's proxy for that broker port (kafkajs's socketFactory contract). */
/** @type {((args: { host: string, port: number, ssl: unknown, onConnect: () => void }) => net.Socket) | undefined} */
const socketFactory = proxyPorts
  ? ({ port, onConnect }) => {
      const to = proxyPorts[String(port)];
      if (to === undefined) throw new Error(`no proxy for broker port ${port}`);
      const socket = net.connect({ host: '127.0.0.1', port: to }, onConnect);
      socket.setKeepAlive(true, 30000);
      return socket;
    }
  : undefined;

const group = consumerGroup(
  {
    brokers: settings.brokers,
    groupId: settings.groupId,
    clientId: settings.member,
    topics: [settings.topic],
    retry: { max: 30, initialBackoff: 100, maxBackoff: 1000, requestTimeout: 5000, connectionTimeout: 2000 },
    groupProtocol: settings.groupProtocol ?? 'classic',
    // Under the consumer protocol the broker sets session and heartbeat (the fault cluster: 6 s and 500 ms), and assigns.
    group:
      settings.groupProtocol === 'consumer'
        ? { rebalance: { timeout: 20000, drainTimeout: 5000 }, topics: { refreshInterval: settings.metadataRefreshMs ?? 1000 } }
        : { partitionStrategy: [settings.strategy ?? 'range'], session: { timeout: settings.sessionTimeoutMs }, heartbeat: { interval: 500 }, rebalance: { timeout: 20000, drainTimeout: 5000 }, topics: { refreshInterval: settings.metadataRefreshMs ?? 1000 } },
    consumer: { offsets: { initial: 'oldest', commitInterval: 300 }, fetch: { maxWait: 200 } },
  },
  socketFactory
    ? {
        // The same fields as kafkajsTransportFor (src/client/consumer-group-from-config.ts), plus the socketFactory.
        createTransport: (/** @type {import("../../src").ConsumerGroupConfig} */ c) =>
          createKafkajsTransport({
            brokers: c.brokers,
            clientId: c.clientId,
            ssl: c.ssl === false ? undefined : c.ssl,
            sasl: c.sasl,
            connectionTimeout: c.retry.connectionTimeout,
            requestTimeout: c.retry.requestTimeout,
            retry: { max: c.retry.max, initialBackoff: c.retry.initialBackoff, maxBackoff: c.retry.maxBackoff },
            socketFactory,
          }),
      }
    : {},
);

group.errors$.subscribe((/** @type {import('../../src').KafkaClientError} */ e) =>
  record({ k: 'e', tag: e._tag, code: e.code, retriable: e.retriable, msg: e.message.slice(0, 300) }),
);
group.notifications$.subscribe((/** @type {import('../../src').GroupNotification} */ n) =>
  record({ k: 'n', type: n.type, gen: n.type === 'RebalanceOK' ? n.generationId : undefined, rp: n.type === 'RebalanceError' ? undefined : n.rebalanceProtocol }),
);

const unregister = group.registerMarker();
const sub = group.messages$
  .pipe(concatMap((/** @type {import('../../src').KafkaMessage} */ m) => (settings.workMs > 0 ? timer(settings.workMs).pipe(map(() => m)) : [m])))
  .subscribe({
    next: (/** @type {import('../../src').KafkaMessage} */ m) => {
      const id = m.value === null ? null : m.value.toString();
      // Recorded first, then marked: a kill between the two counts the message as processed, never as committed.
      record({ k: 'm', topic: m.topic, p: m.partition, o: m.offset.toString(), id, member: settings.member });
      const result = group.markOffset(m);
      if (result !== 'ok') record({ k: 'mark', topic: m.topic, p: m.partition, o: m.offset.toString(), result });
    },
    error: (/** @type {import('../../src').KafkaClientError} */ e) => record({ k: 'fatal', tag: e._tag, code: e.code, msg: String(e.message).slice(0, 300) }),
  });

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  const deadline = setTimeout(() => {
    record({ k: 'close-timeout' });
    process.exit(3);
  }, 45000);
  lastValueFrom(group.close(), { defaultValue: undefined })
    .then(() => {
      sub.unsubscribe();
      unregister();
      clearTimeout(deadline);
      record({ k: 'closed' });
      fs.closeSync(fd);
      process.exit(0);
    })
    .catch((/** @type {unknown} */ e) => {
      record({ k: 'close-failed', msg: String(e) });
      process.exit(2);
    });
});
record({ k: 'start', pid: process.pid, proxied: !!proxyPorts });
