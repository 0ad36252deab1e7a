import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Java baseline: a plain KafkaConsumer poll loop (classic group protocol, default fetch settings, no
 * commits), counting records and value bytes until it has seen RECORDS, then closing.
 *
 *   java -cp ... BenchConsumer BOOTSTRAP TOPIC RECORDS GROUP_ID [throughput|latency]
 *
 * Prints one JSON line in the harness's client format (see bench/clients/common.js).
 */
public class BenchConsumer {
    public static void main(String[] args) {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        String bootstrap = args[0];
        String topic = args[1];
        long records = Long.parseLong(args[2]);
        String groupId = args[3];
        boolean latency = args.length > 4 && args[4].equals("latency");

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long count = 0, bytes = 0, firstMs = 0, lastMs = 0, cpuAtFirst = 0;
        long[] assigned = new long[2]; // wall ms, cpu ns at the first non-empty assignment
        long[] lat = latency ? new long[(int) records] : null;
        int nLat = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override public void onPartitionsRevoked(Collection<TopicPartition> partitions) { }
                @Override public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (assigned[0] == 0 && !partitions.isEmpty()) {
                        assigned[0] = System.currentTimeMillis();
                        assigned[1] = os.getProcessCpuTime();
                    }
                }
            });
            while (count < records) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                if (batch.isEmpty()) continue;
                long now = System.currentTimeMillis();
                if (firstMs == 0) {
                    firstMs = now;
                    cpuAtFirst = assigned[0] != 0 ? assigned[1] : os.getProcessCpuTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    count++;
                    byte[] v = r.value();
                    if (v != null) bytes += v.length;
                    if (lat != null && r.timestamp() >= firstMs) lat[nLat++] = now - r.timestamp();
                }
                lastMs = now;
            }
            long cpuWindow = (os.getProcessCpuTime() - cpuAtFirst) / 1_000_000;
            StringBuilder out = new StringBuilder();
            out.append("{\"count\":").append(count)
               .append(",\"bytes\":").append(bytes)
               .append(",\"startMs\":").append(processStart)
               .append(",\"assignedMs\":").append(assigned[0])
               .append(",\"firstMs\":").append(firstMs)
               .append(",\"lastMs\":").append(lastMs)
               .append(",\"windowCpuMs\":").append(cpuWindow);
            if (lat != null && nLat > 0) {
                long[] s = Arrays.copyOf(lat, nLat);
                Arrays.sort(s);
                out.append(",\"latencySamples\":").append(nLat)
                   .append(",\"p50Ms\":").append(s[(int) Math.min(nLat - 1, Math.floor(nLat * 0.50))])
                   .append(",\"p99Ms\":").append(s[(int) Math.min(nLat - 1, Math.floor(nLat * 0.99))])
                   .append(",\"maxMs\":").append(s[nLat - 1]);
            }
            out.append("}");
            System.out.println("RESULT " + out);
        }
    }
}
