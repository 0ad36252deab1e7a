import java.lang.management.ManagementFactory;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The produce scenario's Java client (`java-producer`): KafkaProducer with its idempotent defaults made explicit
 * (enable.idempotence=true, acks=all, max.in.flight.requests.per.connection 5, buffer.memory 32 MiB), linger.ms=5
 * and batch.size=1048576 to match rx-kafka-cluster's produce() defaults (lingerMs 5, batchBytes 1 MiB), no
 * compression. It sends record i (a 16-byte key, i in decimal zero-padded; one shared value) as fast as send()
 * allows (send() blocks only when buffer.memory is full) and measures from the first send() to the last callback.
 *
 *   java -cp ... BenchThroughputProducer BOOTSTRAP TOPIC RECORDS VALUE_BYTES KEY_BYTES
 *
 * Prints `RESULT {json}` in the harness's client format (bench/clients/common.js, produce-common.js): assignedMs
 * is the first send, firstMs the first acknowledgement, lastMs the last one, windowCpuMs the CPU in between.
 */
public class BenchThroughputProducer {
    public static void main(String[] args) throws Exception {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        String bootstrap = args[0];
        String topic = args[1];
        long records = Long.parseLong(args[2]);
        int valueBytes = Integer.parseInt(args[3]);
        int keyBytes = args.length > 4 ? Integer.parseInt(args[4]) : 16;

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-java-producer");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "1048576");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        byte[] value = new byte[valueBytes];
        long seed = 42;
        for (int i = 0; i < valueBytes; i++) {
            seed = (seed * 1103515245L + 12345L) % 2147483648L;
            value[i] = (byte) (97 + (seed % 26));
        }

        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long[] window = new long[4]; // first ack ms, last ack ms, cpu ns at the last ack
        long firstSendMs;
        long cpuAtFirst;
        long closeMs;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            firstSendMs = System.currentTimeMillis();
            cpuAtFirst = os.getProcessCpuTime();
            for (long i = 0; i < records && failure.get() == null; i++) {
                byte[] key = new byte[keyBytes];
                long n = i;
                for (int p = keyBytes - 1; p >= 0; p--) {
                    key[p] = (byte) ('0' + (n % 10));
                    n /= 10;
                }
                producer.send(new ProducerRecord<>(topic, null, null, key, value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    long count = acked.incrementAndGet();
                    if (count == 1) window[0] = System.currentTimeMillis();
                    if (count == records) {
                        window[1] = System.currentTimeMillis();
                        window[2] = os.getProcessCpuTime();
                    }
                });
            }
            producer.flush();
            long t0 = System.currentTimeMillis();
            producer.close();
            closeMs = System.currentTimeMillis() - t0;
        }
        if (failure.get() != null || acked.get() != records) {
            String error = failure.get() != null ? failure.get().toString() : "acknowledged " + acked.get() + " of " + records;
            System.out.println("RESULT {\"count\":" + acked.get() + ",\"error\":\"" + error.replace("\\", "\\\\").replace("\"", "'") + "\"}");
            System.exit(1);
        }
        StringBuilder out = new StringBuilder();
        out.append("{\"count\":").append(acked.get())
           .append(",\"bytes\":").append(acked.get() * valueBytes)
           .append(",\"startMs\":").append(processStart)
           .append(",\"assignedMs\":").append(firstSendMs)
           .append(",\"firstMs\":").append(window[0])
           .append(",\"lastMs\":").append(window[1])
           .append(",\"windowCpuMs\":").append((window[2] - cpuAtFirst) / 1_000_000)
           .append(",\"closeMs\":").append(closeMs)
           .append(",\"heapUsedMb\":").append((Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576)
           .append("}");
        System.out.println("RESULT " + out);
    }
}
