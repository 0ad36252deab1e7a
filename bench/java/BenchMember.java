import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Rebalance scenario, the Java KafkaConsumer as a group member (classic protocol, auto-commit every second): prints
 * the harness's EVENT lines (see bench/clients/member-common.js) and closes on SIGTERM.
 *
 *   java -cp ... BenchMember BOOTSTRAP TOPIC GROUP_ID SESSION_TIMEOUT_MS HEARTBEAT_INTERVAL_MS
 */
public class BenchMember {
    static void event(String json) {
        System.out.println("EVENT {\"t\":" + System.currentTimeMillis() + "," + json + "}");
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[3]);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, args[4]);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, "1000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        String topic = args[1];

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        AtomicBoolean closing = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closing.set(true);
            consumer.wakeup();
            try { main.join(15000); } catch (InterruptedException ignored) { }
        }));
        Set<Integer> seen = new HashSet<>();
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override public void onPartitionsRevoked(Collection<TopicPartition> partitions) { }
            @Override public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seen.clear();
                TreeSet<Integer> ps = new TreeSet<>();
                for (TopicPartition tp : consumer.assignment()) ps.add(tp.partition());
                event("\"type\":\"assigned\",\"partitions\":" + ps.toString().replace(" ", ""));
            }
        });
        event("\"type\":\"subscribed\"");
        try {
            while (!closing.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (seen.add(r.partition())) event("\"type\":\"first\",\"partition\":" + r.partition());
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
            event("\"type\":\"closed\"");
        }
    }
}
