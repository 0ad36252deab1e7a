import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Pre-produces benchmark data with the Java producer (kafka-clients): N records of S bytes, round-robin over P
 * partitions, no key, no compression, large batches. With a rate > 0 it paces sends (latency scenario) and
 * sends with linger 0.
 *
 *   java -cp ... BenchProducer BOOTSTRAP TOPIC RECORDS VALUE_BYTES PARTITIONS [RATE_PER_SEC]
 *
 * Prints one JSON line: {"records":N,"ms":elapsed}.
 */
public class BenchProducer {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        long records = Long.parseLong(args[2]);
        int valueBytes = Integer.parseInt(args[3]);
        int partitions = Integer.parseInt(args[4]);
        double rate = args.length > 5 ? Double.parseDouble(args[5]) : 0;

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "20");
        // Big batches, but at most 64 MiB of open batches over all partitions (200 partitions x 512 KiB ran out of heap).
        int batchBytes = rate > 0 ? 16384 : Math.max(16384, Math.min(512 * 1024, 64 * 1024 * 1024 / partitions));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchBytes));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        // Printable, varied, incompressible enough; the same bytes for every record (no compression is used).
        byte[] value = new byte[valueBytes];
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < valueBytes; i++) value[i] = (byte) ('a' + random.nextInt(26));

        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long started;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            // The topic's metadata first: the first send would block on it, and a paced run would then catch up
            // with a burst of the sends that fell due meanwhile (hundreds of records at once, not the rate asked for).
            producer.partitionsFor(topic);
            started = System.nanoTime();
            for (long i = 0; i < records && failure.get() == null; i++) {
                if (rate > 0) {
                    long due = started + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int partition = (int) (i % partitions);
                producer.send(new ProducerRecord<>(topic, partition, null, null, value), (md, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                    else acked.incrementAndGet();
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            System.err.println("produce failed: " + failure.get());
            System.exit(1);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("{\"records\":" + acked.get() + ",\"ms\":" + ms + "}");
    }
}
