import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Scenario 7 (rebalance under load), the Java KafkaConsumer as a group member: MODE eager (RangeAssignor, classic),
 * cooperative (CooperativeStickyAssignor, classic) or consumer (group.protocol=consumer, group.remote.assignor
 * uniform; session and heartbeat are the broker's group.consumer.* settings). Auto-commit every second. Prints the
 * same EVENT lines and takes the same stdin commands as bench/clients/s7-member-common.js; closes on SIGTERM.
 *
 *   java -cp ... BenchS7Member BOOTSTRAP TOPIC GROUP_ID MODE SESSION_TIMEOUT_MS HEARTBEAT_INTERVAL_MS
 */
public class BenchS7Member {
    static final int GAP_EVENT_MS = 25;

    static synchronized void event(String json) {
        System.out.println("EVENT {\"t\":" + System.currentTimeMillis() + "," + json + "}");
        System.out.flush();
    }

    static final long[] last = new long[4096];
    static Set<Integer> seen = new HashSet<>();
    static Set<Integer> owned = new TreeSet<>();
    static String winId;
    static long winAt;
    static Map<Integer, List<long[]>> winGaps;
    static long ticks;
    static long maxGap;
    static String protocol;

    static void owned(Set<Integer> next) {
        if (next.equals(owned)) return;
        owned = new TreeSet<>(next);
        seen = new HashSet<>();
        event("\"type\":\"owned\",\"partitions\":" + owned.toString().replace(" ", "") + ",\"protocol\":\"" + protocol + "\"");
    }

    static void command(String line) {
        String[] w = line.trim().split("\\s+");
        if (w.length >= 2 && w[0].equals("mark")) {
            winId = w[1];
            winAt = System.currentTimeMillis();
            winGaps = new HashMap<>();
            seen = new HashSet<>();
            event("\"type\":\"mark\",\"id\":\"" + winId + "\"");
        } else if (w.length >= 4 && w[0].equals("end") && w[1].equals(winId)) {
            long since = Long.parseLong(w[2]);
            long u = Long.parseLong(w[3]);
            long now = System.currentTimeMillis();
            StringBuilder sb = new StringBuilder();
            for (int p = 0; p < last.length; p++) {
                if (last[p] == 0) continue;
                long[] best = null;
                for (long[] g : winGaps.getOrDefault(p, List.of())) if (g[0] <= u && g[1] >= since && (best == null || g[1] - g[0] > best[1])) best = new long[] { p, g[1] - g[0], g[0], g[1] };
                long l = last[p];
                if (l <= u && l >= winAt - 60_000 && owned.contains(p) && (best == null || now - l > best[1])) best = new long[] { p, now - l, l, -1 };
                if (best == null) continue;
                if (sb.length() > 0) sb.append(',');
                sb.append('[').append(best[0]).append(',').append(best[1]).append(',').append(best[2]).append(',').append(best[3] < 0 ? "null" : String.valueOf(best[3])).append(']');
            }
            event("\"type\":\"window\",\"id\":\"" + winId + "\",\"gaps\":[" + sb + "]");
            winId = null;
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[3];
        protocol = mode;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        if (mode.equals("consumer")) {
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "uniform");
        } else {
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[4]);
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, args[5]);
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, (mode.equals("cooperative") ? CooperativeStickyAssignor.class : RangeAssignor.class).getName());
        }
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
        ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        Thread stdin = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in))) {
                for (String l; (l = r.readLine()) != null; ) commands.add(l);
            } catch (Exception ignored) { }
        });
        stdin.setDaemon(true);
        stdin.start();
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            private Set<Integer> minus(Collection<TopicPartition> gone) {
                Set<Integer> s = new TreeSet<>(owned);
                for (TopicPartition tp : gone) s.remove(tp.partition());
                return s;
            }
            @Override public void onPartitionsRevoked(Collection<TopicPartition> partitions) { owned(minus(partitions)); }
            @Override public void onPartitionsLost(Collection<TopicPartition> partitions) { owned(minus(partitions)); }
            @Override public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                Set<Integer> s = new TreeSet<>();
                for (TopicPartition tp : consumer.assignment()) s.add(tp.partition());
                owned(s);
            }
        });
        event("\"type\":\"subscribed\"");
        long tickAt = System.currentTimeMillis();
        long n = 0;
        try {
            while (!closing.get()) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (String c; (c = commands.poll()) != null; ) command(c);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    int p = r.partition();
                    long now = System.currentTimeMillis();
                    long l = last[p];
                    last[p] = now;
                    n++;
                    if (l != 0) {
                        long g = now - l;
                        if (g > maxGap) maxGap = g;
                        if (g > GAP_EVENT_MS) event("\"type\":\"gap\",\"partition\":" + p + ",\"from\":" + l + ",\"to\":" + now);
                        if (winId != null && g >= 1 && now >= winAt) winGaps.computeIfAbsent(p, k -> new ArrayList<>()).add(new long[] { l, now });
                    }
                    if (seen.add(p)) event("\"type\":\"first\",\"partition\":" + p);
                }
                long now = System.currentTimeMillis();
                if (now - tickAt >= 1000) {
                    event("\"type\":\"tick\",\"n\":" + n + ",\"maxGap\":" + maxGap);
                    tickAt = now;
                    n = 0;
                    maxGap = 0;
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
