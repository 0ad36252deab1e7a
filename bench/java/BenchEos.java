import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Scenario s8 (consume-transform-produce, exactly once), two modes:
 *
 *   java -cp ... BenchEos run BOOTSTRAP INPUT OUTPUT RECORDS GROUP TRANSACTIONAL_ID TXN_RECORDS TIMEOUT_MS
 *     The `java-eos` client: one KafkaConsumer (group.protocol classic, isolation.level read_committed,
 *     enable.auto.commit false, auto.offset.reset earliest) and one transactional KafkaProducer (acks all,
 *     idempotent, linger.ms 5 = Java's default, batch.size 1 MiB like rx-kafka-cluster's batchBytes default, no
 *     compression). Every TXN_RECORDS consumed records (counted across polls; the tail of a poll goes into the next
 *     transaction) are one transaction: beginTransaction, one send per record, sendOffsetsToTransaction(offsets,
 *     consumer.groupMetadata()), commitTransaction. The last transaction holds what is left when RECORDS is not a
 *     multiple. Output record: the input's partition, key = the input offset in decimal ASCII, value = the input
 *     value with a-z uppercased (a byte loop, as ours-eos does).
 *     Prints `RESULT {json}` (bench/clients/common.js): assignedMs = first record consumed, firstMs = first commit,
 *     lastMs = the commit of the transaction holding the last input, windowCpuMs = process CPU in between.
 *
 *   java -cp ... BenchEos verify BOOTSTRAP INPUT OUTPUT GROUP VALUE_BYTES
 *     The harness's check after every run, independent of the client under test: reads OUTPUT from the beginning
 *     with read_committed (assigned partitions, no group) up to its end; per partition every key must name an
 *     input offset of the same partition exactly once and every input offset must appear (no loss, no duplicate);
 *     values must be VALUE_BYTES long with no a-z. GROUP's committed offsets on INPUT must equal INPUT's end
 *     offsets. Prints `VERIFY {json}` with ok true or false.
 */
public class BenchEos {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("verify")) verify(args);
        else run(args);
    }

    private static byte[] upper(byte[] v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            byte b = v[i];
            out[i] = b >= 97 && b <= 122 ? (byte) (b - 32) : b;
        }
        return out;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "'").replace("\n", " ") + "\"";
    }

    private static void run(String[] args) throws Exception {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        String bootstrap = args[1];
        String input = args[2];
        String output = args[3];
        long records = Long.parseLong(args[4]);
        String group = args[5];
        String transactionalId = args[6];
        int txnRecords = Integer.parseInt(args[7]);
        long timeoutMs = Long.parseLong(args[8]);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-java-eos-consumer");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-java-eos-producer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1048576");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long consumed = 0;
        long committed = 0;
        long transactions = 0;
        long bytes = 0;
        long firstConsumedMs = 0;
        long firstCommitMs = 0;
        long lastCommitMs = 0;
        long cpuAtFirst = 0;
        long cpuAtLast = 0;
        long closeMs = 0;
        String error = null;
        long deadline = System.currentTimeMillis() + timeoutMs;
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        try {
            producer.initTransactions();
            consumer.subscribe(Collections.singletonList(input));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            int pending = 0;
            boolean open = false;
            while (committed < records) {
                if (System.currentTimeMillis() > deadline) throw new RuntimeException("timeout after " + timeoutMs + " ms with " + committed + " of " + records + " records");
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    if (consumed == 0) {
                        firstConsumedMs = System.currentTimeMillis();
                        cpuAtFirst = os.getProcessCpuTime();
                    }
                    if (!open) {
                        producer.beginTransaction();
                        open = true;
                    }
                    byte[] key = Long.toString(r.offset()).getBytes(StandardCharsets.US_ASCII);
                    byte[] value = r.value() == null ? new byte[0] : upper(r.value());
                    producer.send(new ProducerRecord<>(output, r.partition(), key, value));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    consumed++;
                    pending++;
                    bytes += value.length;
                    if (pending == txnRecords || consumed == records) {
                        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                        producer.commitTransaction();
                        open = false;
                        committed += pending;
                        transactions++;
                        pending = 0;
                        offsets.clear();
                        long now = System.currentTimeMillis();
                        if (firstCommitMs == 0) firstCommitMs = now;
                        if (committed == records) {
                            lastCommitMs = now;
                            cpuAtLast = os.getProcessCpuTime();
                        }
                    }
                }
            }
        } catch (Exception e) {
            error = e.toString();
        } finally {
            long t0 = System.currentTimeMillis();
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
            closeMs = System.currentTimeMillis() - t0;
        }
        StringBuilder out = new StringBuilder();
        out.append("{\"count\":").append(committed)
           .append(",\"bytes\":").append(bytes)
           .append(",\"transactions\":").append(transactions)
           .append(",\"startMs\":").append(processStart)
           .append(",\"assignedMs\":").append(firstConsumedMs)
           .append(",\"firstMs\":").append(firstCommitMs)
           .append(",\"lastMs\":").append(lastCommitMs == 0 ? System.currentTimeMillis() : lastCommitMs)
           .append(",\"windowCpuMs\":").append(((cpuAtLast == 0 ? os.getProcessCpuTime() : cpuAtLast) - cpuAtFirst) / 1_000_000)
           .append(",\"closeMs\":").append(closeMs)
           .append(",\"heapUsedMb\":").append((Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576);
        if (error != null) out.append(",\"error\":").append(json(error));
        out.append("}");
        System.out.println("RESULT " + out);
        System.exit(error == null ? 0 : 1);
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) tps.add(new TopicPartition(topic, info.partition()));
        return tps;
    }

    private static void verify(String[] args) throws Exception {
        String bootstrap = args[1];
        String input = args[2];
        String output = args[3];
        String group = args[4];
        int valueBytes = Integer.parseInt(args[5]);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-eos-verify");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Properties g = new Properties();
        g.putAll(c);
        g.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        g.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");

        List<String> problems = new ArrayList<>();
        long outputRecords = 0;
        long duplicates = 0;
        long missing = 0;
        long foreign = 0;
        long badValues = 0;
        long inputRecords = 0;
        boolean offsetsMatch = true;
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c); KafkaConsumer<byte[], byte[]> groupReader = new KafkaConsumer<>(g)) {
            List<TopicPartition> in = partitionsOf(reader, input);
            Map<TopicPartition, Long> inputEnds = reader.endOffsets(in);
            for (long e : inputEnds.values()) inputRecords += e;
            // Committed offsets, read as a group member would on start-up (OffsetFetch, require_stable).
            Map<TopicPartition, OffsetAndMetadata> committed = groupReader.committed(new HashSet<>(in), Duration.ofSeconds(30));
            for (TopicPartition tp : in) {
                OffsetAndMetadata om = committed.get(tp);
                long want = inputEnds.get(tp);
                if (om == null || om.offset() != want) {
                    offsetsMatch = false;
                    if (problems.size() < 8) problems.add("committed " + tp + " = " + (om == null ? "none" : om.offset()) + ", input end " + want);
                }
            }

            List<TopicPartition> out = partitionsOf(reader, output);
            reader.assign(out);
            reader.seekToBeginning(out);
            Map<TopicPartition, Long> outEnds = reader.endOffsets(out); // the last stable offset under read_committed
            Map<Integer, BitSet> seen = new HashMap<>();
            Set<TopicPartition> open = new HashSet<>(out);
            long deadline = System.currentTimeMillis() + 120_000;
            while (!open.isEmpty()) {
                if (System.currentTimeMillis() > deadline) throw new RuntimeException("verify: output not read to its end in 120 s");
                ConsumerRecords<byte[], byte[]> polled = reader.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    outputRecords++;
                    long offset;
                    try {
                        offset = Long.parseLong(new String(r.key(), StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        offset = -1;
                    }
                    TopicPartition src = new TopicPartition(input, r.partition());
                    Long end = inputEnds.get(src);
                    if (end == null || offset < 0 || offset >= end) {
                        foreign++;
                        continue;
                    }
                    BitSet bits = seen.computeIfAbsent(r.partition(), k -> new BitSet());
                    if (bits.get((int) offset)) duplicates++;
                    else bits.set((int) offset);
                    byte[] v = r.value();
                    boolean bad = v == null || v.length != valueBytes;
                    if (!bad) for (byte b : v) if (b >= 97 && b <= 122) { bad = true; break; }
                    if (bad) badValues++;
                }
                open.removeIf(tp -> reader.position(tp) >= outEnds.get(tp));
            }
            for (TopicPartition tp : in) {
                BitSet bits = seen.getOrDefault(tp.partition(), new BitSet());
                long lost = inputEnds.get(tp) - bits.cardinality();
                if (lost > 0 && problems.size() < 8) problems.add(lost + " input records of " + tp + " have no output");
                missing += lost;
            }
        } catch (Exception e) {
            problems.add(e.toString());
        }
        if (duplicates > 0) problems.add(duplicates + " duplicate outputs");
        if (foreign > 0) problems.add(foreign + " outputs naming no input offset of their partition");
        if (badValues > 0) problems.add(badValues + " outputs with a wrong value");
        boolean ok = problems.isEmpty() && missing == 0 && offsetsMatch && outputRecords == inputRecords;
        if (ok == false && problems.isEmpty()) problems.add("output holds " + outputRecords + " records, input " + inputRecords);
        System.out.println("VERIFY {\"ok\":" + ok + ",\"inputRecords\":" + inputRecords + ",\"outputRecords\":" + outputRecords + ",\"duplicates\":" + duplicates + ",\"missing\":" + missing + ",\"foreign\":" + foreign + ",\"badValues\":" + badValues + ",\"offsetsMatch\":" + offsetsMatch + ",\"problems\":" + json(String.join("; ", problems)) + "}");
    }
}
